package findings

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
)

func TestReplicationAndEmergence(t *testing.T) {
	sub := prepareSmall(t) // also leaves seed 1 in the run cache
	opt := denotation.Options{Tau: 0.8}
	s := denoteSetup()
	rep, err := Replication(s, []uint64{1, 2}, opt, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	scan, _, _ := validatedScan(sub.Train, sub.Test, opt.Tau)
	if rep.Report.NumRuns != 2 || len(rep.Denoting) != 2 || rep.Denoting[0] != scan.NumDenoting() ||
		math.Abs(rep.TestAccuracy[0]-sub.Eval.Accuracy) > 1e-12 {
		t.Fatalf("replication %+v; seed 1 has %d denoting neurons, accuracy %v", rep, scan.NumDenoting(), sub.Eval.Accuracy)
	}
	if rep.Total != len(rep.Report.Sets) || rep.InAll != len(rep.Report.Surviving(2)) || len(rep.Surviving) != rep.InAll {
		t.Errorf("total %d of %d sets, in all %d, surviving %d", rep.Total, len(rep.Report.Sets), rep.InAll, len(rep.Surviving))
	}
	for _, r := range rep.Surviving {
		if r.NumRuns != 2 || len(r.Classes) != r.Labels.Len() {
			t.Errorf("surviving %+v", r)
		}
	}
	if rep.Figure == nil {
		t.Error("no replication figure")
	}
	roundTrip(t, rep)
	if _, err := Replication(s, []uint64{1}, opt, nil); err == nil {
		t.Error("one seed accepted")
	}

	t.Setenv(EnvNoCache, "")
	em, err := EmergenceOverTraining(s, opt, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	if len(em.Points) != 4 || len(em.Epochs) != 4 || em.Points[0].Epoch != 0 || em.Points[3].Epoch != 3 {
		t.Fatalf("emergence points %+v", em.Points)
	}
	// One run, continued epoch by epoch, ends at the model Prepare trained in one go.
	if em.Epochs[3].TestAccuracy != sub.Eval.Accuracy || em.Points[3].Denoting != scan.NumDenoting() {
		t.Errorf("last snapshot: accuracy %v, %d denoting; trained model %v, %d", em.Epochs[3].TestAccuracy,
			em.Points[3].Denoting, sub.Eval.Accuracy, scan.NumDenoting())
	}
	if em.Epochs[0].TestAccuracy > 0.3 || em.Points[0].Denoting >= em.Points[3].Denoting {
		t.Errorf("at initialisation: accuracy %v, %d denoting", em.Epochs[0].TestAccuracy, em.Points[0].Denoting)
	}
	if em.Figure == nil || em.Curves == nil {
		t.Error("emergence figures missing")
	}
	roundTrip(t, em)
	again, err := EmergenceOverTraining(s, opt, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(em)
	b, _ := json.Marshal(again)
	if string(a) != string(b) || again.Snapshots != nil || again.Figure == nil {
		t.Error("the second emergence run differs or did not come from the results cache")
	}
	// Without the results cache it rescans the snapshots the first run kept.
	t.Setenv(EnvNoCache, "1")
	rescan, err := EmergenceOverTraining(s, opt, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := json.Marshal(rescan); string(a) != string(c) || !rescan.Epochs[3].Cached {
		t.Error("the rescan differs or did not use the snapshots")
	}
}
