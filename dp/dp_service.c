/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include "dp/dp_service.h"

#define DP_MAX_SERVICES 16

static const struct dp_service *services[DP_MAX_SERVICES];
static unsigned n_services;

int
dp_service_register(const struct dp_service *s)
{
	if (n_services == DP_MAX_SERVICES)
		return -ENOSPC;
	services[n_services++] = s;
	return 0;
}

int
dp_services_init(const struct cfg *cfg)
{
	for (unsigned i = 0; i < n_services; i++) {
		int rc = services[i]->init != NULL ? services[i]->init(cfg) : 0;

		if (rc < 0)
			return rc;
	}
	return 0;
}

int
dp_services_build(struct dp_tables *t, char *err, size_t errlen)
{
	for (unsigned i = 0; i < n_services; i++) {
		int rc = services[i]->build != NULL ? services[i]->build(t, err, errlen) : 0;

		if (rc < 0)
			return rc;
	}
	return 0;
}

void
dp_services_free(struct dp_tables *t)
{
	for (unsigned i = n_services; i-- > 0;)
		if (services[i]->free != NULL)
			services[i]->free(t);
}

void
dp_services_publish(struct dp_tables *t, struct dp_tables *old)
{
	for (unsigned i = 0; i < n_services; i++)
		if (services[i]->publish != NULL)
			services[i]->publish(t, old);
}

void
dp_services_poll(struct dp_tables *t, uint64_t now_ms)
{
	for (unsigned i = 0; i < n_services; i++)
		if (services[i]->poll != NULL)
			services[i]->poll(t, now_ms);
}

uint64_t
dp_services_next_ms(void)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < n_services; i++)
		if (services[i]->next_ms != NULL) {
			uint64_t n = services[i]->next_ms();

			next = n < next ? n : next;
		}
	return next;
}

void
dp_services_flow_deleted(const struct dp_flow *f)
{
	for (unsigned i = 0; i < n_services; i++)
		if (services[i]->flow_deleted != NULL)
			services[i]->flow_deleted(f);
}

void
dp_services_stop(void)
{
	for (unsigned i = 0; i < n_services; i++)
		if (services[i]->stop != NULL)
			services[i]->stop();
}
