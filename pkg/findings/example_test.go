package findings_test

import (
	"fmt"
	"os"

	"github.com/denotation-go/denotation/pkg/findings"
)

func Example() {
	cache, _ := os.MkdirTemp("", "denotation-example")
	defer os.RemoveAll(cache)
	s := findings.DefaultSetup("mnist")
	s.Model = s.Model.WithHidden(32, 16).WithEpochs(1)
	s.TrainLimit, s.ObserveTrain, s.ObserveTest = 2000, 1000, 500
	sub, err := findings.Prepare(s, &findings.PrepareOptions{CacheDir: cache})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := findings.ObserverWeights(sub, "even")
	if err != nil {
		fmt.Println(err)
		return
	}
	even := res.Observers[0]
	fmt.Println(sub.Model.Architecture(), "layers observed:", even.Layers)
	fmt.Println("observer beats chance:", even.BalancedAccuracy > 0.7)
	// Output:
	// 784-32-16-10 relu layers observed: [1 2]
	// observer beats chance: true
}
