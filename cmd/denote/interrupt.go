package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupt turns the first SIGINT or SIGTERM into the cancellation of a context, so that a long
// command can stop cleanly (training stops after its last saved epoch). After that first signal
// the default behaviour is restored: a second Ctrl-C ends the process at once.
type interrupt struct {
	ctx    context.Context
	cancel context.CancelFunc
	ch     chan os.Signal
	mu     sync.Mutex
	sig    os.Signal
}

// onInterrupt starts catching SIGINT and SIGTERM; call stop when the command ends.
func onInterrupt() *interrupt {
	ctx, cancel := context.WithCancel(context.Background())
	in := &interrupt{ctx: ctx, cancel: cancel, ch: make(chan os.Signal, 1)}
	signal.Notify(in.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-in.ch:
			in.mu.Lock()
			in.sig = s
			in.mu.Unlock()
			signal.Stop(in.ch)
			cancel()
		case <-ctx.Done():
		}
	}()
	return in
}

// stop stops catching the signals.
func (in *interrupt) stop() {
	signal.Stop(in.ch)
	in.cancel()
}

// signalName is "SIGINT" or "SIGTERM".
func signalName(s os.Signal) string {
	if s == syscall.SIGTERM {
		return "SIGTERM"
	}
	if s == os.Interrupt {
		return "SIGINT"
	}
	return s.String()
}

// signal returns the signal that interrupted the command, or nil.
func (in *interrupt) signal() os.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.sig
}

// wrap returns err as an exitError with status 128+signal (130 for SIGINT, 143 for SIGTERM) when a
// signal interrupted the command, and err unchanged otherwise.
func (in *interrupt) wrap(err error) error {
	s := in.signal()
	if err == nil || s == nil {
		return err
	}
	code := 130
	if s == syscall.SIGTERM {
		code = 143
	}
	return &exitError{code: code, err: err}
}
