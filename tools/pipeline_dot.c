/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Print the pipeline's stages and edges as Graphviz dot, from the code that
 * assembles them (dp/pipeline.c): docs/pipeline.svg is made from this.
 *   build/tools/vpcgw-pipeline-dot | dot -Tsvg -o docs/pipeline.svg
 */
#include <stdio.h>

#include "dp/dp.h"
#include "dp/dp_graph.h"

int
main(void)
{
	char err[256];

	if (dp_pipeline_init(err, sizeof(err)) < 0) {
		fprintf(stderr, "vpcgw-pipeline-dot: %s\n", err);
		return 1;
	}
	dp_graph_dot(stdout);
	return 0;
}
