package findings

import (
	"testing"
	"time"
)

type drawn struct{ layer, neuron int }

// runBrowseLoop runs browseLoop in the background on fresh channels and returns them, the redraws
// it makes, and a channel closed when it returns.
func runBrowseLoop(idle time.Duration, redrawOK func(drawn) bool) (layer, neuron, done chan int, draws chan drawn, ended chan struct{}) {
	layer, neuron, done = make(chan int), make(chan int), make(chan int)
	draws, ended = make(chan drawn, 16), make(chan struct{})
	go func() {
		defer close(ended)
		browseLoop(&browserControls{layer: layer, neuron: neuron, done: done}, idle, 1, 0, func(l, n int) bool {
			d := drawn{l, n}
			draws <- d
			return redrawOK == nil || redrawOK(d)
		})
	}()
	return
}

func nextDraw(t *testing.T, draws chan drawn) drawn {
	t.Helper()
	select {
	case d := <-draws:
		return d
	case <-time.After(5 * time.Second):
		t.Fatal("no redraw")
		return drawn{}
	}
}

func waitEnded(t *testing.T, ended chan struct{}, within time.Duration, what string) {
	t.Helper()
	select {
	case <-ended:
	case <-time.After(within):
		t.Fatalf("browseLoop did not return after %s", what)
	}
}

func TestBrowseLoopFollowsControlsUntilDone(t *testing.T) {
	layer, neuron, done, draws, ended := runBrowseLoop(time.Minute, nil)
	layer <- 2 // the select's value is the 0-based index
	if d := nextDraw(t, draws); d != (drawn{3, 0}) {
		t.Errorf("after choosing layer index 2: drew %+v, want layer 3 neuron 0", d)
	}
	neuron <- 17
	if d := nextDraw(t, draws); d != (drawn{3, 17}) {
		t.Errorf("after choosing neuron 17: drew %+v", d)
	}
	done <- 0 // the count the button sends when it is created: not a click
	layer <- 0
	if d := nextDraw(t, draws); d != (drawn{1, 17}) {
		t.Errorf("after choosing layer index 0: drew %+v", d)
	}
	done <- 1
	waitEnded(t, ended, 5*time.Second, "Done")
	if len(draws) != 0 {
		t.Errorf("redrew after Done: %+v", <-draws)
	}
}

func TestBrowseLoopIdle(t *testing.T) {
	start := time.Now()
	_, neuron, _, draws, ended := runBrowseLoop(300*time.Millisecond, nil)
	neuron <- 4
	nextDraw(t, draws)
	waitEnded(t, ended, 5*time.Second, "idle")
	if el := time.Since(start); el < 300*time.Millisecond {
		t.Errorf("returned after %s, before the idle limit", el)
	}
}

func TestBrowseLoopStopsWhenRedrawFails(t *testing.T) {
	_, neuron, _, draws, ended := runBrowseLoop(time.Minute, func(d drawn) bool { return d.neuron != 9 })
	neuron <- 9
	nextDraw(t, draws)
	waitEnded(t, ended, 5*time.Second, "a failed redraw")
}

func TestBrowseLoopClosedChannels(t *testing.T) {
	layer, neuron, done := make(chan int), make(chan int), make(chan int)
	close(layer)
	close(neuron)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		browseLoop(&browserControls{layer: layer, neuron: neuron, done: done}, time.Minute, 1, 0, func(l, n int) bool {
			t.Errorf("redraw(%d, %d) on a closed channel", l, n)
			return true
		})
	}()
	done <- 1
	waitEnded(t, ended, 5*time.Second, "Done with closed controls")
}

func TestAwaitControls(t *testing.T) {
	never := make(chan *browserControls)
	start := time.Now()
	if c, ok := awaitControls(never, 200*time.Millisecond); ok || c != nil {
		t.Errorf("controls that never come: got %v, %v", c, ok)
	}
	if el := time.Since(start); el < 200*time.Millisecond || el > 3*time.Second {
		t.Errorf("gave up after %s, want about 200ms", el)
	}
	ready := make(chan *browserControls, 1)
	want := &browserControls{}
	ready <- want
	if c, ok := awaitControls(ready, time.Minute); !ok || c != want {
		t.Errorf("ready controls: got %v, %v", c, ok)
	}
}

func TestBrowserIdle(t *testing.T) {
	t.Setenv(EnvBrowserIdle, "")
	if d, err := browserIdle(time.Second); err != nil || d != time.Second {
		t.Errorf("unset: %v, %v", d, err)
	}
	t.Setenv(EnvBrowserIdle, "90s")
	if d, err := browserIdle(time.Second); err != nil || d != 90*time.Second {
		t.Errorf("90s: %v, %v", d, err)
	}
	for _, bad := range []string{"90", "-1s", "0s", "soon"} {
		t.Setenv(EnvBrowserIdle, bad)
		if _, err := browserIdle(time.Second); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
