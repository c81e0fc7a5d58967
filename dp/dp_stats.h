/* SPDX-License-Identifier: BSD-3-Clause */
/* Counter outputs and LCU meters (control thread only). */
#ifndef VPCGW_DP_STATS_H
#define VPCGW_DP_STATS_H

#include "dp/dp.h"
#include "dp/lcu.h"

struct dp_lcu_state {
	bool started;
	int n_listeners;
	int n_gwlb;
	struct lcu_meter listener[DP_MAX_LISTENERS];
	struct lcu_meter gwlb[DP_MAX_GWLB];
};

/* Written by the control thread, read by telemetry callbacks (their own
 * thread): figures may be a window old, never torn beyond one double. */
extern struct dp_lcu_state dp_lcu;

int dp_stats_write_prometheus(const char *file);
/* Append the JSON object as one line (a series for tools/plot_stats.py). */
int dp_stats_append_json(const char *file);
/*
 * Telemetry parameters "k1=v1,k2=v2": fn(key, value) for each pair in order
 * (value writable); stops at the first fn < 0. A pair without '=' or
 * parameters of 256 bytes or more: -EINVAL with the reason in err.
 */
int dp_tel_kv(const char *params, int (*fn)(char *key, char *value, void *arg, char *err,
					    size_t errlen),
	      void *arg, char *err, size_t errlen);
void dp_lcu_init(const struct cfg *cfg, uint64_t now_ms);
void dp_lcu_update(uint64_t now_ms);

#endif /* VPCGW_DP_STATS_H */
