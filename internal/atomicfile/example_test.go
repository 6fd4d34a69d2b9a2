package atomicfile_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/denotation-go/denotation/internal/atomicfile"
)

func Example() {
	dir, _ := os.MkdirTemp("", "atomicfile-example")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "results.json")
	if err := atomicfile.WriteBytes(p, []byte(`{"ok": true}`)); err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(p)
	left, _ := os.ReadDir(dir)
	fmt.Println(string(b), len(left))
	// Output: {"ok": true} 1
}
