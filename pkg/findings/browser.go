package findings

import (
	"encoding/base64"
	"fmt"
	"html"
	"os"
	"time"

	"github.com/denotation-go/denotation/plotting"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/dom"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// EnvNoWidgets set to 1 makes NeuronBrowser show the static story without trying the widgets. It is
// not needed for headless runs (NeuronBrowser notices by itself that no front-end answers).
const EnvNoWidgets = "DENOTATION_NO_WIDGETS"

// EnvBrowserIdle, set to a Go duration ("90s"), replaces the idle limit a notebook passes to
// NeuronBrowser. Quick mode's notebooks pass one second, too short for a hand or the UI test.
const EnvBrowserIdle = "DENOTATION_BROWSER_IDLE"

// browserConnectTimeout is how long NeuronBrowser waits for the front-end to answer its first widget
// (a round trip program → GoNB → browser → GoNB → program) before it falls back to the static story.
// With a browser attached the answer comes in well under a second; without one (nbconvert, papermill,
// a closed tab) GoNB's widgets would wait for it forever.
var browserConnectTimeout = 10 * time.Second

// NeuronBrowser lets a notebook user pick a layer and a neuron of the subject and see that neuron's
// story (NeuronStory: per-class activation distributions, threshold, denoted classes, mean image of
// its top-activating test samples), redrawn live as the choice changes. It starts at (layer, neuron),
// and returns when the Done button is pressed or after idle without any change ($DENOTATION_BROWSER_IDLE
// overrides idle); the controls are then removed, and the last story stays in the notebook as a PNG and
// is returned.
//
// Outside a GoNB notebook it only computes and returns the story of (layer, neuron). The widgets need a
// front-end (a browser showing the notebook) connected to the kernel: when none answers within 10 s
// (headless runs with nbconvert or papermill, a closed tab), or with $DENOTATION_NO_WIDGETS=1, the story
// of (layer, neuron) is displayed without the controls, after a one-line note saying which.
func NeuronBrowser(sub *Subject, layer, neuron int, idle time.Duration) (*NeuronStoryResult, error) {
	story, err := NeuronStory(sub, layer, neuron)
	if err != nil {
		return nil, err
	}
	if !gonbui.IsNotebook {
		return story, nil
	}
	if v := os.Getenv(EnvNoWidgets); v != "" && v != "0" {
		fmt.Printf("neuron browser: widgets off ($%s=%s); showing the story of layer %d, neuron %d\n", EnvNoWidgets, v, layer, neuron)
		return story, plotting.Show(story.Figure)
	}
	idle, err = browserIdle(idle)
	if err != nil {
		return nil, err
	}
	widths := sub.Model.Widths()
	maxW := 0
	names := make([]string, len(widths))
	for i, w := range widths {
		maxW = max(maxW, w)
		names[i] = fmt.Sprintf("layer %d (%d neurons)", i+1, w)
	}

	// The widgets block until the front-end answers: build them aside and give up after a while.
	controlsID := "neuron-browser-" + gonbui.UniqueId()
	built := make(chan *browserControls, 1)
	go func() { built <- buildBrowserControls(controlsID, names, layer-1, maxW-1, neuron) }()
	ctl, ok := awaitControls(built, browserConnectTimeout)
	if !ok {
		gonbui.UpdateHtml(controlsID, "")
		fmt.Printf("neuron browser: no front-end answered the widgets within %s; showing the story of layer %d, neuron %d\n",
			browserConnectTimeout, layer, neuron)
		return story, plotting.Show(story.Figure)
	}

	out := "neuron-story-" + gonbui.UniqueId()
	show := func(s *NeuronStoryResult) error {
		png, err := plotting.PNG(s.Figure)
		if err != nil {
			return err
		}
		title := html.EscapeString(s.Title)
		gonbui.UpdateHtml(out, fmt.Sprintf(`<img class="neuron-story" alt="%s" title="%s" src="data:image/png;base64,%s"/>`,
			title, title, base64.StdEncoding.EncodeToString(png)))
		return nil
	}
	if err := show(story); err != nil {
		return nil, err
	}
	var showErr error
	browseLoop(ctl, idle, layer, neuron, func(l, n int) bool {
		if l < 1 || l > len(widths) {
			return true
		}
		s, err := NeuronStory(sub, l, min(n, widths[l-1]-1))
		if err != nil {
			gonbui.UpdateHtml(out, "<pre>"+html.EscapeString(err.Error())+"</pre>")
			return true
		}
		story = s
		if err := show(story); err != nil {
			showErr = err
			return false
		}
		return true
	})
	gonbui.UpdateHtml(out, "")
	gonbui.UpdateHtml(controlsID, "")
	if showErr != nil {
		return nil, showErr
	}
	return story, plotting.Show(story.Figure)
}

// browserIdle returns idle, or $DENOTATION_BROWSER_IDLE when set.
func browserIdle(idle time.Duration) (time.Duration, error) {
	v := os.Getenv(EnvBrowserIdle)
	if v == "" {
		return idle, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("neuron browser: $%s=%q is not a positive duration (e.g. 90s)", EnvBrowserIdle, v)
	}
	return d, nil
}

// browserControls are the channels of the browser's widgets: the selected layer index (0-based), the
// neuron, and the Done button's click count (0 when the button is created, then 1, 2, …).
type browserControls struct {
	layer, neuron, done <-chan int
}

// buildBrowserControls displays the controls (layer select, neuron slider, Done button) in a block
// with display id id, and returns their channels once the front-end has answered each widget. Without a
// front-end it never returns.
func buildBrowserControls(id string, names []string, layerIdx, maxNeuron, neuron int) *browserControls {
	div := id + "-div"
	gonbui.UpdateHtml(id, fmt.Sprintf(`<div id="%s" class="neuron-browser"></div>`, div))
	dom.Append(div, "<b>layer</b>&nbsp;")
	sel := widgets.Select(names).SetDefault(layerIdx).AppendTo(div).Done()
	dom.Append(div, "&nbsp;<b>neuron</b>&nbsp;")
	slider := widgets.Slider(0, maxNeuron, neuron).AppendTo(div).Done()
	dom.Append(div, "&nbsp;")
	button := widgets.Button("Done").AppendTo(div)
	// Listen before Done: Button.Done closes its own listener, and were it the only one, GoNB would
	// be told to unsubscribe the address while this listener subscribes it again (a race that can lose
	// the clicks).
	done := comms.Listen[int](button.Address())
	button.Done()
	return &browserControls{
		layer:  sel.Listen().LatestOnly().C,
		neuron: slider.Listen().LatestOnly().C,
		done:   done.C,
	}
}

// awaitControls returns the controls built within timeout, or false.
func awaitControls(built <-chan *browserControls, timeout time.Duration) (*browserControls, bool) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case c := <-built:
		return c, true
	case <-t.C:
		return nil, false
	}
}

// browseLoop follows the controls from (layer, neuron) — layer 1-based — and calls redraw(layer, neuron)
// after each change, until the Done button is clicked, idle passes without a change, or redraw returns
// false. The idle clock restarts after each redraw.
func browseLoop(ctl *browserControls, idle time.Duration, layer, neuron int, redraw func(layer, neuron int) bool) {
	layerC, neuronC, doneC := ctl.layer, ctl.neuron, ctl.done
	t := time.NewTimer(idle)
	defer t.Stop()
	for {
		select {
		case v, ok := <-layerC:
			if !ok {
				layerC = nil
				continue
			}
			layer = v + 1
		case v, ok := <-neuronC:
			if !ok {
				neuronC = nil
				continue
			}
			neuron = v
		case v, ok := <-doneC:
			if !ok {
				doneC = nil
				continue
			}
			if v > 0 {
				return
			}
			continue // the count 0 the button sends when it is created
		case <-t.C:
			return
		}
		if !redraw(layer, neuron) {
			return
		}
		t.Reset(idle)
	}
}
