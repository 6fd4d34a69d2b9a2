package denotation

import (
	"os/exec"
	"slices"
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
	// pkg/property (the label-set type) imports only the standard library and datasets, itself
	// standard-library only but for internal/atomicfile (its memo file is written atomically).
	checkModuleDeps(t, goTool, mod+"pkg/property", mod+"datasets", mod+"internal/atomicfile")
	// pkg/hidden imports only the standard library and three standard-library-only packages of this
	// module: internal/atomicfile, pkg/actfile (its .npz writer) and internal/native (actfile's
	// bulk float32 reads and writes).
	checkModuleDeps(t, goTool, mod+"internal/native")
	checkModuleDeps(t, goTool, mod+"pkg/hidden", mod+"internal/atomicfile", mod+"pkg/actfile", mod+"internal/native")
}

// checkModuleDeps fails unless every dependency of pkg outside the standard library is pkg itself
// or one of allowed.
func checkModuleDeps(t *testing.T, goTool, pkg string, allowed ...string) {
	t.Helper()
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != pkg && !slices.Contains(allowed, p) {
			t.Errorf("%s depends on %s, outside the standard library and %v", pkg, p, allowed)
		}
	}
}
