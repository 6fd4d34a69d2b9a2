package findings

import (
	"encoding/base64"
	"fmt"
	"os"
	"time"

	"github.com/denotation-go/denotation/plotting"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/dom"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// EnvNoWidgets set to 1 tells NeuronBrowser that no browser is connected (headless notebook runs).
const EnvNoWidgets = "DENOTATION_NO_WIDGETS"

// NeuronBrowser lets a notebook user pick a layer and a neuron of the subject and see that neuron's
// story (NeuronStory: per-class activation distributions, threshold, denoted classes, mean image of
// its top-activating test samples), redrawn live as the choice changes. It starts at (layer, neuron),
// and returns when the Done button is pressed or after idle without any change; the last story then
// stays in the notebook as a PNG and is returned.
//
// Outside a GoNB notebook it only computes and returns the story of (layer, neuron). Widgets need a
// browser connected to the kernel: headless runs (nbconvert) set $DENOTATION_NO_WIDGETS=1, and then
// the story is displayed without the controls.
func NeuronBrowser(sub *Subject, layer, neuron int, idle time.Duration) (*NeuronStoryResult, error) {
	story, err := NeuronStory(sub, layer, neuron)
	if err != nil {
		return nil, err
	}
	if !gonbui.IsNotebook {
		return story, nil
	}
	if v := os.Getenv(EnvNoWidgets); v != "" && v != "0" {
		return story, plotting.Show(story.Figure)
	}
	widths := sub.Model.Widths()
	maxW := 0
	names := make([]string, len(widths))
	for i, w := range widths {
		maxW = max(maxW, w)
		names[i] = fmt.Sprintf("layer %d (%d neurons)", i+1, w)
	}
	div := dom.CreateTransientDiv()
	dom.Append(div, "<b>layer</b>&nbsp;")
	sel := widgets.Select(names).SetDefault(layer - 1).AppendTo(div).Done()
	dom.Append(div, "&nbsp;<b>neuron</b>&nbsp;")
	slider := widgets.Slider(0, maxW-1, neuron).AppendTo(div).Done()
	dom.Append(div, "&nbsp;")
	done := widgets.Button("Done").AppendTo(div).Done()
	out := "neuron-story-" + gonbui.UniqueId()
	show := func(s *NeuronStoryResult) error {
		png, err := plotting.PNG(s.Figure)
		if err != nil {
			return err
		}
		gonbui.UpdateHtml(out, fmt.Sprintf(`<img src="data:image/png;base64,%s"/>`, base64.StdEncoding.EncodeToString(png)))
		return nil
	}
	if err := show(story); err != nil {
		return nil, err
	}
	layerC, neuronC, doneC := sel.Listen().LatestOnly(), slider.Listen().LatestOnly(), done.Listen()
loop:
	for {
		select {
		case <-doneC.C:
			break loop
		case v := <-layerC.C:
			layer = v + 1
		case v := <-neuronC.C:
			neuron = v
		case <-time.After(idle):
			break loop
		}
		n := min(neuron, widths[layer-1]-1)
		s, err := NeuronStory(sub, layer, n)
		if err != nil {
			gonbui.UpdateHtml(out, "<pre>"+err.Error()+"</pre>")
			continue
		}
		story = s
		if err := show(story); err != nil {
			return nil, err
		}
	}
	gonbui.UpdateHtml(out, "")
	return story, plotting.Show(story.Figure)
}
