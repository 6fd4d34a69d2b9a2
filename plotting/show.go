package plotting

import (
	"errors"
	"fmt"

	"github.com/janpfeifer/gonb/gonbui"
)

// ErrNotNotebook is returned by Show when the program does not run under a GoNB kernel: nothing was
// displayed (and nothing was written to stdout).
var ErrNotNotebook = errors.New("plotting: not running in a GoNB notebook, figure not displayed")

// Show displays fig inline in a GoNB notebook, as a PNG at fig.DPI. PNG always renders in Jupyter,
// also in untrusted notebooks, where SVG (sent as HTML) is dropped.
//
// Outside a notebook (gonbui.IsNotebook is false) it validates fig and returns ErrNotNotebook,
// without rendering or printing anything.
func Show(fig *Figure) error {
	if err := fig.Validate(); err != nil {
		return err
	}
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	png, err := PNG(fig)
	if err != nil {
		return err
	}
	return ShowPNG(png)
}

// ShowPNG displays an already rendered PNG (PNG's output) inline in a GoNB notebook: a caller that
// also saves the PNG renders it once. Outside a notebook it returns ErrNotNotebook.
//
// It returns once GoNB has received the image (gonbui.Sync): a cell's program may end right after,
// and an image still in the pipe when it ends can be lost.
func ShowPNG(png []byte) error {
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	gonbui.DisplayPng(png)
	gonbui.Sync()
	if err := gonbui.Error(); err != nil {
		return fmt.Errorf("plotting: displaying figure in the notebook: %w", err)
	}
	return nil
}
