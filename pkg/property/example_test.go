package property_test

import (
	"fmt"

	"github.com/denotation-go/denotation/pkg/property"
)

func Example() {
	mnist, _ := property.VocabularyFor("mnist")
	even, _ := mnist.Parse("even")
	fmt.Println(even.Name(), even.Labels(), even.LabelProportion())
	fmt.Println("complement:", even.Complement().Name(), even.Complement().Labels())

	labels := []int{0, 1, 2, 3, 4, 4, 8}
	fmt.Printf("sample proportion: %.3f\n", even.SampleProportion(labels))

	fashion, _ := property.VocabularyFor("fashion")
	shoes, _ := fashion.Parse("Sandal,Sneaker,ankle boot")
	fmt.Println(shoes.Labels(), shoes.Display())
	_, err := fashion.Parse("sandal,hat")
	fmt.Println(err)

	fmt.Println(len(property.AllSubsets(10)), "subsets,", len(property.Splits(10)), "splits")
	s := property.MustLabelSet(1, 3, 5, 7, 9, 2)
	fmt.Println(s, "canonical:", s.Canonical(10))
	// Output:
	// even {0,2,4,6,8} 0.5
	// complement: !even {1,3,5,7,9}
	// sample proportion: 0.714
	// {5,7,9} {Sandal,Sneaker,Ankle boot}
	// property spec "sandal,hat": unknown class or alias "hat" (classes: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot; aliases: accessories, clothing, footwear, longsleeve, tops)
	// 1022 subsets, 511 splits
	// {1,2,3,5,7,9} canonical: {0,4,6,8}
}
