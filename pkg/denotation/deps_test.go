package denotation

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoHeavyDependencies keeps the statistics packages free of gomlx and GoNB: they take
// activations as hidden.Activations (a standard-library-only package), not through pkg/model.
func TestNoHeavyDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	const mod = "github.com/denotation-go/denotation/"
	out, err := exec.Command(goTool, "list", "-deps", mod+"pkg/denotation", mod+"pkg/observer", mod+"pkg/actfile/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !strings.Contains(string(out), mod+"pkg/hidden") {
		t.Fatalf("go list -deps printed %d packages, without pkg/hidden: %s", len(deps), out)
	}
	for _, d := range deps {
		if strings.Contains(d, "gomlx") || strings.Contains(d, "gonb") {
			t.Errorf("pkg/denotation, pkg/observer or pkg/actfile depends on %s", d)
		}
	}
	// pkg/hidden imports only the standard library and two standard-library-only packages of this
	// module: internal/atomicfile and pkg/actfile (its .npz writer).
	out, err = exec.Command(goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", mod+"pkg/hidden").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != mod+"pkg/hidden" && p != mod+"internal/atomicfile" && p != mod+"pkg/actfile" {
			t.Errorf("pkg/hidden depends on %s, outside the standard library, internal/atomicfile and pkg/actfile", p)
		}
	}
}
