package uitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// jupyterServer is a `jupyter notebook` server started by the test, rooted at / so that both the
// repository's notebooks and executed ones elsewhere can be opened by absolute path.
type jupyterServer struct {
	base, token string
	cmd         *exec.Cmd
	exited      chan struct{}
	log         string
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startJupyter starts the server with env added to (and replacing) the test's environment, waits
// until it answers, and registers its stop (sessions deleted, then the process groups of the server
// and of every process it started killed) with t.Cleanup.
func startJupyter(ctx context.Context, t *testing.T, dir string, env map[string]string) *jupyterServer {
	t.Helper()
	jupyter, err := exec.LookPath("jupyter")
	if err != nil {
		t.Fatalf("jupyter not found (make setup installs it): %v", err)
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	s := &jupyterServer{
		base:   fmt.Sprintf("http://127.0.0.1:%d", port),
		token:  hex.EncodeToString(tok),
		exited: make(chan struct{}),
		log:    filepath.Join(dir, "jupyter.log"),
	}
	logf, err := os.Create(s.log)
	if err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(jupyter, "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1",
		"--port="+strconv.Itoa(port), "--port-retries=0", "--NotebookApp.token="+s.token,
		"--NotebookApp.notebook_dir=/", "--NotebookApp.open_browser=False")
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.Env = mergeEnv(os.Environ(), env)
	// Its own process group (stopped as a whole), and killed should this test process die.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = s.cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	t.Cleanup(func() { s.stop(t) })

	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := s.api(ctx, http.MethodGet, "/api/status"); err == nil {
			return s
		}
		select {
		case <-s.exited:
			t.Fatalf("jupyter notebook exited at start; its log:\n%s", tail(s.log, 20))
		case <-ctx.Done():
			t.Fatalf("jupyter notebook: %v", ctx.Err())
		case <-time.After(300 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("jupyter notebook did not answer on %s within 60 s; its log:\n%s", s.base, tail(s.log, 20))
		}
	}
}

// mergeEnv returns base with the variables of set replaced or added; an empty value removes one.
func mergeEnv(base []string, set map[string]string) []string {
	var out []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range set {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// url returns the address of a page of the server, token included.
func (s *jupyterServer) url(path string) string {
	return s.base + path + "?token=" + s.token
}

// notebookURL returns the Notebook UI page of the notebook at an absolute path.
func (s *jupyterServer) notebookURL(abs string) string {
	return s.url("/notebooks" + filepath.ToSlash(abs))
}

func (s *jupyterServer) api(ctx context.Context, method, path string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "token "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return b.Bytes(), nil
}

// stop deletes the server's sessions (GoNB shuts down cleanly, gopls and its temporary folders
// included), then ends the server's process group and the groups of every process it started
// (Jupyter starts each kernel in a session of its own): SIGTERM, and SIGKILL for what is left after 5 s.
func (s *jupyterServer) stop(t *testing.T) {
	select {
	case <-s.exited:
		return
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if b, err := s.api(ctx, http.MethodGet, "/api/sessions"); err == nil {
		var sessions []struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(b, &sessions) == nil {
			for _, ss := range sessions {
				if _, err := s.api(ctx, http.MethodDelete, "/api/sessions/"+ss.ID); err != nil {
					t.Logf("deleting session %s: %v", ss.ID, err)
				}
			}
		}
	}
	pid := s.cmd.Process.Pid
	groups := map[int]bool{pid: true}
	procs := descendants(pid)
	own := syscall.Getpgrp()
	for _, p := range procs {
		if g, err := syscall.Getpgid(p); err == nil && g != own {
			groups[g] = true
		}
	}
	for g := range groups {
		_ = syscall.Kill(-g, syscall.SIGTERM)
	}
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
	}
	for g := range groups {
		_ = syscall.Kill(-g, syscall.SIGKILL)
	}
	for _, p := range procs {
		_ = syscall.Kill(p, syscall.SIGKILL) // those that moved to a group of ours (none expected)
	}
	<-s.exited
	var left []int
	for _, p := range procs {
		if alive(p) {
			left = append(left, p)
		}
	}
	if len(left) > 0 {
		t.Errorf("processes started by the Jupyter server still alive after stop: %v", left)
	}
}

// descendants lists the processes descending from pid, read from /proc.
func descendants(pid int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, ok := parentOf(p); ok {
			children[pp] = append(children[pp], p)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// parentOf reads the parent pid from /proc/PID/stat (the field after the parenthesised command).
func parentOf(pid int) (int, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(f[1])
	return pp, err == nil
}

// alive reports whether pid is a live process (not a zombie).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && !strings.HasPrefix(strings.TrimSpace(string(b[i+1:])), "Z")
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
