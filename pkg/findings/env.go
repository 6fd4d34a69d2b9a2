package findings

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/denotation-go/denotation/internal/atomicfile"
	"github.com/denotation-go/denotation/plotting"
	"github.com/janpfeifer/gonb/gonbui"
)

// Environment variables read by the findings (and so by every notebook).
const (
	// EnvQuick set to 1 shrinks every experiment (small subsets, few epochs) for CI and smoke tests.
	EnvQuick = "DENOTATION_QUICK"
	// EnvFigures names the folder figures are exported to (default: figures/ at the repository root,
	// or ./figures outside the repository).
	EnvFigures = "DENOTATION_FIGURES"
)

// Quick reports whether $DENOTATION_QUICK asks for the quick (CI) version of every experiment.
func Quick() bool {
	v := strings.ToLower(strings.TrimSpace(os.Getenv(EnvQuick)))
	return v == "1" || v == "true" || v == "yes"
}

// modulePath is this repository's Go module, used to find the repository root.
const modulePath = "github.com/denotation-go/denotation"

// RepoRoot returns the root of the denotation repository containing the working directory
// (the first parent folder whose go.mod declares this module), or "" if there is none.
func RepoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			strings.Contains(string(b), "module "+modulePath+"\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// FiguresDir is the folder figures are exported to: $DENOTATION_FIGURES, else figures/ at the
// repository root, else ./figures.
func FiguresDir() string {
	if d := os.Getenv(EnvFigures); d != "" {
		return d
	}
	if root := RepoRoot(); root != "" {
		return filepath.Join(root, "figures")
	}
	return "figures"
}

// DefaultFormats are the formats Export writes when none is named.
var DefaultFormats = []string{"png", "svg"}

// Export saves fig as FiguresDir()/name.FORMAT for each format (DefaultFormats if none) and returns
// the paths written. Each file is written atomically (Figure.Save), so a figure on disk is always
// complete.
func Export(fig *plotting.Figure, name string, formats ...string) ([]string, error) {
	return ExportTo(FiguresDir(), fig, name, formats...)
}

// ExportTo is Export into the folder dir.
func ExportTo(dir string, fig *plotting.Figure, name string, formats ...string) ([]string, error) {
	return exportTo(dir, fig, name, false, formats...)
}

// exportTo is ExportTo that, with show, first displays the figure's PNG in the notebook (see
// plotting.ShowPNG): a figure both shown and saved as PNG is rendered once.
func exportTo(dir string, fig *plotting.Figure, name string, show bool, formats ...string) ([]string, error) {
	if len(formats) == 0 {
		formats = DefaultFormats
	}
	var png []byte
	if show {
		var err error
		if png, err = plotting.PNG(fig); err != nil {
			return nil, err
		}
		if err := plotting.ShowPNG(png); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("figures folder: %w", err)
	}
	var paths []string
	for _, f := range formats {
		p := filepath.Join(dir, name+"."+f)
		var err error
		if strings.EqualFold(f, "png") && png != nil {
			err = atomicfile.WriteBytes(p, png)
		} else {
			err = fig.Save(p)
		}
		if err != nil {
			return paths, fmt.Errorf("exporting %s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// ShowAndExport displays fig inline when running in a GoNB notebook and exports it (see Export).
// Outside a notebook it only exports. It returns the exported paths.
func ShowAndExport(fig *plotting.Figure, name string, formats ...string) ([]string, error) {
	return exportTo(FiguresDir(), fig, name, gonbui.IsNotebook, formats...)
}

// ShowMarkdown displays md as Markdown when running in a GoNB notebook, and prints it otherwise.
func ShowMarkdown(md string) {
	if gonbui.IsNotebook {
		gonbui.DisplayMarkdown(md)
		gonbui.Sync() // received before the cell's program may end (see plotting.ShowPNG)
		return
	}
	fmt.Println(md)
}
