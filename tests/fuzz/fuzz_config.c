/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the input is a configuration text for cfg_load_string().
 *
 * Pure (no EAL): the loader and its validation only. A valid configuration is
 * freed again; an invalid one must have reported exactly as many errors
 * through the callback as it returns, and left no configuration behind.
 * Built by tests/fuzz/run.sh.
 *
 * Inputs with an @include directive are skipped: libconfig would open files
 * of this machine relative to the current directory (not reproducible), and
 * libconfig 1.5 calls exit() when the included path is a directory
 * ("input in flex scanner failed"; docs/RELIABILITY.md, finding C2).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1     /* strcasestr */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"

static void
count_error(void *arg, const char *msg)
{
	int *n = arg;

	/* every message is one formatted line: touch all of it */
	if (strlen(msg) > 0)
		(*n)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg *cfg = (struct cfg *)1;
	char *text = malloc(size + 1);
	int reported = 0, n;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strcasestr(text, "@include") != NULL) {
		free(text);
		return 0;
	}
	n = cfg_load_string(text, "fuzz.cfg", &cfg, count_error, &reported);
	if (n == 0) {
		if (cfg == NULL) {
			fprintf(stderr, "fuzz_config: 0 errors but no config\n");
			abort();
		}
		/* walk what the data plane would index, so a bad index shows up here */
		for (int i = 0; i < cfg->n_subnets; i++)
			if (cfg->subnets[i].port < 0 || cfg->subnets[i].port >= cfg->n_ports ||
			    cfg->subnets[i].route_table >= cfg->n_route_tables ||
			    cfg->subnets[i].nacl >= cfg->n_nacls) {
				fprintf(stderr, "fuzz_config: subnet %d has a bad reference\n", i);
				abort();
			}
		for (int i = 0; i < cfg->n_route_tables; i++)
			for (int r = 0; r < cfg->route_tables[i].n_routes; r++) {
				const struct cfg_route *rt = &cfg->route_tables[i].routes[r];

				if ((rt->kind == CFG_TARGET_NAT && (rt->ref < 0 ||
				     rt->ref >= cfg->n_nat_gateways)) ||
				    (rt->kind == CFG_TARGET_GWLBE && (rt->ref < 0 ||
				     rt->ref >= cfg->n_gwlbs || rt->ref2 < 0 ||
				     rt->ref2 >= cfg->gwlbs[rt->ref].n_endpoints))) {
					fprintf(stderr, "fuzz_config: route %d.%d: bad target\n",
						i, r);
					abort();
				}
			}
		cfg_free(cfg);
	} else if (n < 0 || reported != n || cfg != NULL) {
		fprintf(stderr, "fuzz_config: %d errors returned, %d reported, cfg %p\n", n,
			reported, (void *)cfg);
		abort();
	}
	free(text);
	return 0;
}
