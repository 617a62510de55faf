package main

import (
	"context"
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/nhs-staff-passport/passport/internal/config"
	"github.com/nhs-staff-passport/passport/workflows"
)

// searchAttributes are the moves' custom search attributes, all keywords.
func searchAttributes() map[string]enumspb.IndexedValueType {
	out := map[string]enumspb.IndexedValueType{}
	for _, name := range workflows.SearchAttributeNames() {
		out[name] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	}
	return out
}

// missingSearchAttributes names the moves' search attributes the namespace
// lacks, in order.
func missingSearchAttributes(ctx context.Context, c client.Client, namespace string) ([]string, error) {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return nil, fmt.Errorf("list search attributes: %w", err)
	}
	var missing []string
	for _, name := range workflows.SearchAttributeNames() {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing = append(missing, name)
		}
	}
	return missing, nil
}

// checkSearchAttributes refuses to run against a namespace without the
// moves' search attributes: every move start would fail there. It names
// the missing ones and how to add them.
func checkSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	missing, err := missingSearchAttributes(ctx, c, namespace)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("the Temporal namespace %q lacks the search attributes %s (all Keyword), without which no move can start: "+
			"run `passport migrate` with %sTEMPORAL_ADDRESS set, which registers them", namespace, strings.Join(missing, ", "), config.Prefix)
	}
	return nil
}

// registerSearchAttributes adds whichever of the moves' search attributes
// the namespace lacks (a data dir from before they existed, say).
func registerSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	names, err := missingSearchAttributes(ctx, c, namespace)
	if err != nil || len(names) == 0 {
		return err
	}
	missing := map[string]enumspb.IndexedValueType{}
	for _, name := range names {
		missing[name] = searchAttributes()[name]
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}
