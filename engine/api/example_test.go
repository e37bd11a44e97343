package api_test

import (
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/minspace/min/engine/api"
)

// Create-time checks as the engine runs them: defaults, then validation,
// then the Invalid error Kubernetes would answer.
func ExampleValidateObject() {
	p := &api.Pod{
		ObjectMeta: api.ObjectMeta{Name: "kubia", Namespace: "default", Labels: map[string]string{"env": "-prod"}},
		Spec:       api.PodSpec{Containers: []api.Container{{Name: "kubia"}}},
	}
	api.SetDefaults(p)
	fmt.Println(p.Spec.RestartPolicy, *p.Spec.TerminationGracePeriodSeconds, p.Spec.Containers[0].ImagePullPolicy)
	if err := api.InvalidError(p, api.ValidateObject(p)); err != nil {
		for _, c := range err.Details.Causes {
			fmt.Printf("%s: %.40s\n", c.Field, c.Message)
		}
	}
	// Output:
	// Always 30 Always
	// metadata.labels: Invalid value: "-prod": a valid label mu
	// spec.containers[0].image: Required value
}

func ExampleParseSelector() {
	sel, err := api.ParseSelector("env in (prod,staging), tier!=db")
	if err != nil {
		panic(err)
	}
	fmt.Println(sel.String())
	fmt.Println(sel.Matches(labels.Set{"env": "prod", "tier": "web"}), sel.Matches(labels.Set{"env": "dev"}))
	_, err = api.ParseSelector("env in prod")
	fmt.Println(err)
	// Output:
	// env in (prod,staging),tier!=db
	// true false
	// unable to parse requirement: found 'prod' expected: '('
}
