/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control side of a service, as the core sees it: what it builds for
 * each table generation, what it does when tables are published, what its
 * timers are, what a deleted flow gives back. dp/pipeline.c registers each
 * service once, before the first tables are built; the core calls the hooks
 * in registration order (free: in reverse) and never names a service.
 * Control thread only, except flow_deleted (any lcore that deletes a flow).
 */
#ifndef VPCGW_DP_SERVICE_H
#define VPCGW_DP_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"
#include "dp/dp.h"

struct dp_service {
	const char *name;
	/* once at start, after the flow table exists; 0 or -errno */
	int (*init)(const struct cfg *cfg);
	/* per table generation; 0, or -errno with a message in err */
	int (*build)(struct dp_tables *t, char *err, size_t errlen);
	void (*free)(struct dp_tables *t);
	/* t is about to replace old (NULL at start) */
	void (*publish)(struct dp_tables *t, struct dp_tables *old);
	/* control loop: due work, and when it is next due (UINT64_MAX: never) */
	void (*poll)(struct dp_tables *t, uint64_t now_ms);
	uint64_t (*next_ms)(void);
	void (*flow_deleted)(const struct dp_flow *f);
	/* at exit, workers stopped, flows still in the table; or NULL */
	void (*stop)(void);
};

int dp_service_register(const struct dp_service *s);

int dp_services_init(const struct cfg *cfg);
int dp_services_build(struct dp_tables *t, char *err, size_t errlen);
void dp_services_free(struct dp_tables *t);
void dp_services_publish(struct dp_tables *t, struct dp_tables *old);
void dp_services_poll(struct dp_tables *t, uint64_t now_ms);
uint64_t dp_services_next_ms(void);
void dp_services_flow_deleted(const struct dp_flow *f);
void dp_services_stop(void);

#endif /* VPCGW_DP_SERVICE_H */
