package findings

import (
	"context"
	"fmt"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/pkg/property"
)

// Setup is the experiment every finding starts from: which data, which object model, how it is
// trained, and how many samples the observers and scans use. It is a plain struct (JSON-serialisable)
// so that a notebook's "tweak here" cell and results.json show exactly what was run.
type Setup struct {
	// Dataset is "mnist" or "fashion".
	Dataset string `json:"dataset"`
	// Model is the object model's architecture and training recipe (widths, activation, Adam, epochs, seed).
	Model model.Config `json:"model"`
	// TrainLimit is the number of training samples the object model is trained on (stratified subset;
	// 0 = the whole training split).
	TrainLimit int `json:"train_limit"`
	// ObserveTrain is the number of training-split samples whose activations observers train on
	// (stratified subset of the object model's training samples; 0 = all of them).
	ObserveTrain int `json:"observe_train"`
	// ObserveTest is the number of test-split samples observers and scans are evaluated on
	// (stratified subset; 0 = the whole test split).
	ObserveTest int `json:"observe_test"`
	// SubsetSeed draws the stratified subsets.
	SubsetSeed uint64 `json:"subset_seed"`
	// Quick records whether this is the quick (CI) version.
	Quick bool `json:"quick"`
}

// StudyModel is the object model of the findings, chosen by the factor study (FactorStudy,
// notebook 07) of an earlier run: a 784-128×6-10 ReLU MLP with PyTorch's default initialisation (model.InitTorch),
// Adam at a constant learning rate of 0.001, batches of 128, 6 epochs. Under the project's earlier
// recipe (He initialisation, cosine-decayed 0.002, 3–5 epochs) single neurons rarely denote. In the
// factor study the initialisation separates the recipes by more than their seed-to-seed range; the
// two schedules (constant 0.001 for 6 epochs, cosine 0.002 for 3) do not, and which of them ranks
// first has changed from run to run (the study's summary says which in each run).
func StudyModel() model.Config {
	return model.DefaultConfig().WithHidden(128, 128, 128, 128, 128, 128).WithInit(model.InitTorch).
		WithSchedule(model.ScheduleConstant).WithLearningRate(0.001).WithEpochs(6)
}

// DefaultSetup returns the setup of the findings for dataset: StudyModel trained on the whole
// training split, observers (and the selection of denotations) on 10,000 training samples, and
// evaluation on all 10,000 test samples.
// When Quick() is true it shrinks to a 64-64 MLP trained 2 epochs on 5,000 samples, observers on
// 3,000 / 2,000 samples.
func DefaultSetup(dataset string) Setup {
	return DefaultSetupFor(dataset, Quick())
}

// DefaultSetupFor is DefaultSetup with quick mode chosen by the caller instead of $DENOTATION_QUICK.
func DefaultSetupFor(dataset string, quick bool) Setup {
	s := Setup{Dataset: dataset, Model: StudyModel(), ObserveTrain: 10000, SubsetSeed: 1}
	if quick {
		s.Quick = true
		s.Model = model.DefaultConfig().WithHidden(64, 64).WithEpochs(2)
		s.TrainLimit, s.ObserveTrain, s.ObserveTest = 5000, 3000, 2000
	}
	return s
}

// Validate checks the setup before anything is loaded or trained.
func (s Setup) Validate() error {
	if _, err := property.VocabularyFor(s.Dataset); err != nil {
		return err
	}
	if s.TrainLimit < 0 || s.ObserveTrain < 0 || s.ObserveTest < 0 {
		return fmt.Errorf("setup: sample counts must be ≥ 0 (train_limit %d, observe_train %d, observe_test %d)",
			s.TrainLimit, s.ObserveTrain, s.ObserveTest)
	}
	return s.Model.Validate()
}

// Subject is a trained object model together with the recorded state of its neurons: what the
// observers look at.
type Subject struct {
	Setup Setup
	// Data is the data set the model was trained on (the stratified training subset, and the
	// evaluation subset of the test split). Its arrays are shared with every finding of the process
	// that uses the same data set (see loadFull): do not modify them.
	Data *datasets.Dataset
	// Vocab parses property specs for the data set.
	Vocab property.Vocabulary
	// Model is the trained object model; Cached tells whether it came from the run cache.
	Model  *model.Model
	Cached bool
	// Eval is the model's performance on Data.Test.
	Eval *model.Evaluation
	// ObserveTrain and ObserveTest are the splits whose activations were recorded.
	ObserveTrain, ObserveTest *datasets.Split
	// Train and Test are the activations of every hidden neuron on ObserveTrain and ObserveTest.
	Train, Test *model.Activations

	// CacheDir is the run cache the subject's model came from ("" = the default): results computed
	// from the subject are cached there too.
	CacheDir string

	// untrained is the control subject, built on first use by Untrained.
	untrained *Subject
	// memo remembers stateKey.
	memo stateMemo
}

// PrepareOptions are the knobs of Prepare that do not change its results. The zero value (or a
// nil *PrepareOptions) is the default.
type PrepareOptions struct {
	// CacheDir is the model run cache ("" = $DENOTATION_CACHE or ~/.cache/denotation).
	CacheDir string
	// Progress receives training progress (nil = model.AutoProgress()).
	Progress model.ProgressFunc
	// Context, if set, stops training when cancelled (model.TrainOptions.Context).
	Context context.Context
}

// orDefault returns o, or the zero options when o is nil.
func (o *PrepareOptions) orDefault() *PrepareOptions {
	if o == nil {
		return &PrepareOptions{}
	}
	return o
}

// Prepare loads the data, trains the object model (or takes it from the run cache) and records the
// activations of every hidden neuron on the observers' training and test samples.
func Prepare(s Setup, opts *PrepareOptions) (*Subject, error) {
	opts = opts.orDefault()
	ds, err := loadSetupData(s)
	if err != nil {
		return nil, err
	}
	m, cached, err := model.TrainCached(ds, s.Model, &model.TrainOptions{Progress: opts.Progress, CacheDir: opts.CacheDir, Context: opts.Context})
	if err != nil {
		return nil, err
	}
	return subjectOf(s, ds, m, cached, false, opts.CacheDir)
}

// subjectOf evaluates m and records its activations for the setup's observer samples (through the
// results cache under cacheDir: see cachedState).
func subjectOf(s Setup, ds *datasets.Dataset, m *model.Model, cached, untrained bool, cacheDir string) (*Subject, error) {
	sub := &Subject{Setup: s, Data: ds, Vocab: property.VocabularyOf(ds), Model: m, Cached: cached, CacheDir: cacheDir}
	sub.ObserveTrain = ds.Train.Subset(s.ObserveTrain, s.SubsetSeed+1)
	sub.ObserveTest = ds.Test
	// Recorded state is validated before it is used or stored; state read back from the cache was
	// validated when stored, its entry's SHA-256 guards it, and reading it checks its values again.
	st, err := cachedState(cacheDir, s, ds, untrained, func() (*subjectState, error) {
		st, err := recordState(m, sub.ObserveTrain, sub.ObserveTest)
		if err != nil {
			return nil, err
		}
		for _, a := range []*model.Activations{st.Train, st.Test} {
			if err := a.Validate(); err != nil {
				return nil, err
			}
		}
		return st, nil
	})
	if err != nil {
		return nil, err
	}
	sub.Eval, sub.Train, sub.Test = st.Eval, st.Train, st.Test
	return sub, nil
}

// Untrained returns the control subject: an untrained object model of the same architecture and
// initialisation seed, observed on the same samples. It is built once per subject (F1, F3 and the τ
// sensitivity all compare against it) and must not be modified; a Subject is not for concurrent use.
func (sub *Subject) Untrained() (*Subject, error) {
	if sub.untrained != nil {
		return sub.untrained, nil
	}
	m, err := model.NewUntrained(sub.Setup.Model, sub.Data.Train.Features(), sub.Data.NumClasses())
	if err != nil {
		return nil, err
	}
	if sub.untrained, err = subjectOf(sub.Setup, sub.Data, m, false, true, sub.CacheDir); err != nil {
		return nil, err
	}
	return sub.untrained, nil
}

// String summarises the subject in one line.
func (sub *Subject) String() string {
	src := "trained"
	if sub.Cached {
		src = "from cache"
	}
	return fmt.Sprintf("%s %s (%s): test accuracy %.4f on %d samples; activations of %d neurons on %d train / %d test samples",
		sub.Data.Name, sub.Model.Architecture(), src, sub.Eval.Accuracy, sub.Eval.N,
		sub.Train.TotalNeurons(), sub.Train.N, sub.Test.N)
}
