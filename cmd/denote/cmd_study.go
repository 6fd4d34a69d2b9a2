package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/denotation-go/denotation/pkg/findings"
	"github.com/denotation-go/denotation/pkg/model"
)

func init() {
	register(command{name: "study", summary: "factor study: which part of the training recipe (initialisation, schedule, width) makes single neurons denote", run: runStudy})
}

// parseListFlag splits a comma-separated flag value, trimming blanks.
func parseListFlag(spec string) []string {
	var out []string
	for _, p := range strings.Split(spec, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func runStudy(args []string, stdout io.Writer) error {
	fs := newFlagSet("study")
	def := findings.DefaultFactorSetup("mnist", false)
	recipes := map[string]findings.Recipe{findings.RecipeCosine3.Name: findings.RecipeCosine3, findings.RecipeConstant6.Name: findings.RecipeConstant6}
	names := make([]string, len(def.Recipes))
	for i, r := range def.Recipes {
		names[i] = r.Name
	}
	dataset := fs.String("dataset", "mnist", "data set: mnist or fashion")
	inits := fs.String("inits", strings.Join(def.Inits, ","), "initialisations to cross: he, torch, glorot")
	recipeSpec := fs.String("recipes", strings.Join(names, ","), "recipes to cross: cos3 (3 epochs, cosine lr 0.002), const6 (6 epochs, constant lr 0.001)")
	seedSpec := fs.String("seeds", "1,2", "seeds: a count N (seeds 1…N) or a comma-separated list")
	depth := fs.Int("depth", def.Depth, "hidden layers of every network")
	width := fs.Int("width", def.Width, "width of every hidden layer")
	contrast := fs.Int("contrast-width", def.Extra[0].Width, "also train the const6 networks of the first seed at this width for he and torch (0 = no contrast)")
	taus := fs.String("taus", "0.90,0.95", "values of τ, comma-separated (the last one is used for emergence and the figures)")
	selection := fs.Int("selection", def.Samples.Selection, "training samples denotations are selected on (0 = all)")
	quick := fs.Bool("quick", false, "the quick (CI) version of the default study")
	cacheDir := fs.String("cache", "", "run-cache folder (default $"+model.EnvCacheDir+" or ~/.cache/denotation)")
	figDir := fs.String("figures", "", "also save the figures as PNG files in this folder")
	asJSON := fs.Bool("json", false, "print JSON (and no progress bar)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s := findings.DefaultFactorSetup(*dataset, *quick || findings.Quick())
	if !*quick && !findings.Quick() {
		s.Inits = parseListFlag(*inits)
		s.Recipes = nil
		for _, n := range parseListFlag(*recipeSpec) {
			r, ok := recipes[n]
			if !ok {
				return usageErrorf("--recipes: unknown recipe %q (want cos3 or const6)", n)
			}
			s.Recipes = append(s.Recipes, r)
		}
		seeds, err := parseSeedsFlag(*seedSpec)
		if err != nil {
			return err
		}
		s.Seeds, s.Depth, s.Width, s.Samples.Selection = seeds, *depth, *width, *selection
		s.Extra = nil
		if *contrast > 0 && *contrast != *width {
			for _, in := range []string{model.InitTorch, model.InitHe} {
				if slices.Contains(s.Inits, in) {
					s.Extra = append(s.Extra, findings.FactorArm{Init: in, Recipe: findings.RecipeConstant6, Width: *contrast, Seed: seeds[0]})
				}
			}
		}
		s.Taus = nil
		for _, t := range parseListFlag(*taus) {
			v, err := strconv.ParseFloat(t, 64)
			if err != nil {
				return usageErrorf("--taus: %q is not a number", t)
			}
			if err := denValidTau(v); err != nil {
				return err
			}
			s.Taus = append(s.Taus, v)
		}
	}
	if err := s.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	opts := &findings.PrepareOptions{CacheDir: *cacheDir}
	if *asJSON {
		opts.Progress = model.Silent
	}
	in := onInterrupt()
	defer in.stop()
	opts.Context = in.ctx
	res, err := findings.FactorStudy(s, opts)
	if err != nil {
		if in.signal() != nil {
			return in.wrap(err)
		}
		return err
	}
	if err := savePNGs(*figDir, res.Figures()); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, res)
	}
	fmt.Fprint(stdout, res.Markdown())
	return nil
}
