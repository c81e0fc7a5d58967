/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb's configuration parts shared between lb_cfg.c (the sections
 * target_groups and network_load_balancers, registered there) and lb6_cfg.c.
 */
#ifndef VPCGW_LB_CFG_H
#define VPCGW_LB_CFG_H

#include <stdbool.h>
#include <libconfig.h>

struct ld;

/* lb6_cfg.c: the dualstack keys (SPEC §7) */
struct cfg_target_group;
struct cfg_nlb;
struct cfg_listener;
struct fld;
void lb_cfg6_tg(struct ld *ld, const config_setting_t *e, const char *p,
		struct cfg_target_group *tg);
/* Target j of ipv6 group tg (port already read): false on an error. */
bool lb_cfg6_target(struct ld *ld, const config_setting_t *t, const char *q,
		    struct cfg_target_group *tg, int j);
void lb_cfg6_nlb(struct ld *ld, const config_setting_t *e, const char *p, struct cfg_nlb *nlb);
/* The rules between a listener (its target_group key f) and its group. */
void lb_cfg6_listener(struct ld *ld, const struct fld *f, const struct cfg_nlb *nlb,
		      const struct cfg_listener *li);

#endif /* VPCGW_LB_CFG_H */
