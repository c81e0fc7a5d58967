/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry for operators (issue #17), beside /vpcgw/flows/list and
 * /vpcgw/trace:
 *   /vpcgw/routes[,table=NAME][,page=N]  every route of every route table of
 *       the running configuration, the implicit local routes first, with its
 *       target as the configuration spells it;
 *   /vpcgw/neighbors[,port=NAME][,page=N]  the ARP and ND cache: address, MAC,
 *       state (static, reachable, incomplete) and age;
 *   /vpcgw/reload[,status]  asks the control loop to reload the configuration
 *       (what SIGHUP does) and says how many reloads were done and rejected.
 * Listings come in pages of DP_SHOW_PAGE entries ("page", "per_page",
 * "matched" as /vpcgw/flows/list), so a reply stays within DPDK's telemetry
 * limits whatever the tables hold. The telemetry thread only reads: the
 * configuration of the current generation (a reload frees it one generation
 * later) and the neighbor entries with relaxed loads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "config/cfg.h"
#include "dp/dp.h"
#include "dp/dp_ctl.h"
#include "dp/dp_show.h"
#include "dp/dp_stats.h"

#define DP_SHOW_PAGE 32

struct show {
	char filter[CFG_NAME_MAX];  /* table or port name; "" any */
	uint32_t page;
	uint32_t matched;
	struct rte_tel_data *d;
	const char *fkey;           /* the filter's key: "table" or "port" */
};

/* DPDK 22.11 writes strings into its JSON unescaped: names lose what would
 * break it. */
static void
add_str(struct rte_tel_data *d, const char *key, const char *v)
{
	char s[RTE_TEL_MAX_STRING_LEN];

	snprintf(s, sizeof(s), "%.*s", (int)sizeof(s) - 1, v);
	for (char *c = s; *c; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
			*c = '_';
	rte_tel_data_add_dict_string(d, key, s);
}

/* One key=value parameter (dp_tel_kv): the filter key, or page. */
static int
parse_kv(char *tok, char *v, void *arg, char *err, size_t errlen)
{
	struct show *sh = arg;
	char *end;

	if (strcmp(tok, "page") == 0) {
		long x = strtol(v, &end, 10);

		if (!*v || *end || x < 0 || x > INT32_MAX) {
			snprintf(err, errlen, "page: bad value \"%s\"", v);
			return -EINVAL;
		}
		sh->page = (uint32_t)x;
	} else if (strcmp(tok, sh->fkey) == 0 && strlen(v) < sizeof(sh->filter)) {
		strcpy(sh->filter, v);
	} else {
		snprintf(err, errlen, "\"%s\": one of %s, page", tok, sh->fkey);
		return -EINVAL;
	}
	return 0;
}

static int
parse(struct show *sh, const char *params, const char *fkey, char *err, size_t errlen)
{
	memset(sh, 0, sizeof(*sh));
	sh->fkey = fkey;
	return dp_tel_kv(params, parse_kv, sh, err, errlen);
}

/* A new entry's dict when entry number matched falls on the page asked for. */
static struct rte_tel_data *
slot(struct show *sh)
{
	uint32_t k = sh->matched++;
	struct rte_tel_data *o;
	char key[16];

	if (k / DP_SHOW_PAGE != sh->page || (o = rte_tel_data_alloc()) == NULL)
		return NULL;
	rte_tel_data_start_dict(o);
	snprintf(key, sizeof(key), "%u", k % DP_SHOW_PAGE);
	rte_tel_data_add_dict_container(sh->d, key, o, 0);
	return o;
}

static void
page_end(struct show *sh, uint64_t generation)
{
	rte_tel_data_add_dict_u64(sh->d, "page", sh->page);
	rte_tel_data_add_dict_u64(sh->d, "per_page", DP_SHOW_PAGE);
	rte_tel_data_add_dict_u64(sh->d, "matched", sh->matched);
	rte_tel_data_add_dict_u64(sh->d, "generation", generation);
}

/* ------------------------------------------------------------ routes */

static void
target_str(const struct cfg *cfg, const struct cfg_route *rt, char *buf, size_t len)
{
	switch (rt->kind) {
	case CFG_TARGET_IGW:
		snprintf(buf, len, "igw");
		break;
	case CFG_TARGET_NAT:
		snprintf(buf, len, "nat-gateway:%s", rt->ref >= 0 && rt->ref < cfg->n_nat_gateways ?
			 cfg->nat_gateways[rt->ref].name : "?");
		break;
	case CFG_TARGET_GWLBE:
		snprintf(buf, len, "gwlb-endpoint:%s",
			 rt->ref >= 0 && rt->ref < cfg->n_gwlbs && rt->ref2 >= 0 &&
			 rt->ref2 < cfg->gwlbs[rt->ref].n_endpoints ?
			 cfg->gwlbs[rt->ref].endpoints[rt->ref2].name : "?");
		break;
	case CFG_TARGET_BLACKHOLE:
		snprintf(buf, len, "blackhole");
		break;
	case CFG_TARGET_VPCE:
		snprintf(buf, len, "gateway-endpoint:%s", rt->ref >= 0 &&
			 rt->ref < cfg->n_gateway_endpoints ? cfg->gateway_endpoints[rt->ref].name : "?");
		break;
	case CFG_TARGET_PCX:
		snprintf(buf, len, "pcx:%s", rt->ref >= 0 && rt->ref < cfg->n_peerings ?
			 cfg->peerings[rt->ref].name : "?");
		break;
	case CFG_TARGET_TGW:
		snprintf(buf, len, "tgw:%s", rt->ref >= 0 && rt->ref < cfg->n_tgws ?
			 cfg->tgws[rt->ref].name : "?");
		break;
	default:
		snprintf(buf, len, "local");
		break;
	}
}

static void
route_add(struct show *sh, const char *table, const char *dst, const char *target, int line)
{
	struct rte_tel_data *o = slot(sh);

	if (o == NULL)
		return;
	add_str(o, "table", table);
	add_str(o, "destination", dst);
	add_str(o, "target", target);
	/* the implicit local routes have no line of their own */
	rte_tel_data_add_dict_string(o, "origin", line > 0 ? "config" : "implicit");
	if (line > 0)
		rte_tel_data_add_dict_u64(o, "line", (uint64_t)line);
}

static void
routes_of(struct show *sh, const struct cfg *cfg, const struct cfg_route_table *rt)
{
	char dst[CFG_NAME_MAX + 8], a[48], tg[RTE_TEL_MAX_STRING_LEN];
	const struct cfg_prefix *local = &cfg->vpc_cidr;
	int v = -1;

	/* the table's VPC is its subnets' (one VPC, --check); none: the first */
	for (int i = 0; cfg->n_vpcs > 1 && i < cfg->n_subnets && v < 0; i++)
		if (&cfg->route_tables[cfg->subnets[i].route_table] == rt)
			v = cfg->subnets[i].vpc;
	if (v >= 0)
		local = &cfg->vpcs[v].cidr;
	snprintf(dst, sizeof(dst), "%s/%u", cfg_ipv4_str(local->addr, a, sizeof(a)), local->len);
	route_add(sh, rt->name, dst, "local", 0);
	if (cfg->has_vpc6 && (v < 0 || v == cfg->vpc6)) {
		snprintf(dst, sizeof(dst), "%s/%u", cfg_ipv6_str(cfg->vpc_cidr6.addr, a, sizeof(a)),
			 cfg->vpc_cidr6.len);
		route_add(sh, rt->name, dst, "local", 0);
	}
	for (int i = 0; i < rt->n_routes; i++) {
		const struct cfg_route *r = &rt->routes[i];

		if (r->has_pl)
			snprintf(dst, sizeof(dst), "pl:%s", cfg->prefix_lists[r->pl].name);
		else if (r->v6)
			snprintf(dst, sizeof(dst), "%s/%u", cfg_ipv6_str(r->dst6.addr, a, sizeof(a)),
				 r->dst6.len);
		else
			snprintf(dst, sizeof(dst), "%s/%u", cfg_ipv4_str(r->dst.addr, a, sizeof(a)),
				 r->dst.len);
		target_str(cfg, r, tg, sizeof(tg));
		route_add(sh, rt->name, dst, tg, r->line);
	}
}

static int
tel_routes(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dp_tables *t = __atomic_load_n(&dp_g.tables, __ATOMIC_ACQUIRE);
	struct show sh;
	char err[128];
	bool found = false;

	RTE_SET_USED(cmd);
	rte_tel_data_start_dict(d);
	if (parse(&sh, params, "table", err, sizeof(err)) < 0) {
		rte_tel_data_add_dict_string(d, "error", err);
		return 0;
	}
	if (t == NULL)
		return 0;
	sh.d = d;
	for (int i = 0; i < t->cfg->n_route_tables; i++) {
		const struct cfg_route_table *rt = &t->cfg->route_tables[i];

		if (sh.filter[0] != '\0' && strcmp(sh.filter, rt->name) != 0)
			continue;
		found = true;
		routes_of(&sh, t->cfg, rt);
	}
	if (sh.filter[0] != '\0' && !found) {
		snprintf(err, sizeof(err), "no route table \"%.60s\"", sh.filter);
		rte_tel_data_start_dict(d);
		add_str(d, "error", err);
		return 0;
	}
	rte_tel_data_add_dict_u64(d, "tables", (uint64_t)t->cfg->n_route_tables);
	page_end(&sh, t->generation);
	return 0;
}

/* ------------------------------------------------------------ neighbors */

static const char *const neigh_state[] = {
	[DP_NEIGH_INCOMPLETE] = "incomplete",
	[DP_NEIGH_REACHABLE] = "reachable",
	[DP_NEIGH_STATIC] = "static",
};

static void
neigh_add(struct show *sh, const struct cfg *cfg, const struct dp_neigh_info *n, uint64_t now)
{
	struct rte_tel_data *o;
	char a[48], mac[24];
	uint64_t since = n->state == DP_NEIGH_REACHABLE ? n->seen_ms :
			 n->state == DP_NEIGH_INCOMPLETE ? n->req_ms : 0;

	if (n->port >= cfg->n_ports ||
	    (sh->filter[0] != '\0' && strcmp(sh->filter, cfg->ports[n->port].name) != 0))
		return;
	o = slot(sh);
	if (o == NULL)
		return;
	add_str(o, "port", cfg->ports[n->port].name);
	rte_tel_data_add_dict_string(o, "family", n->v6 ? "ipv6" : "ipv4");
	rte_tel_data_add_dict_string(o, "address", n->v6 ? cfg_ipv6_str(n->addr6, a, sizeof(a)) :
				     cfg_ipv4_str(n->addr, a, sizeof(a)));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1],
		 n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
	rte_tel_data_add_dict_string(o, "mac", n->state == DP_NEIGH_INCOMPLETE ? "-" : mac);
	rte_tel_data_add_dict_string(o, "state", neigh_state[n->state]);
	/* reachable: since the last ARP/ND packet from it; incomplete: since the
	 * last request; static entries do not age */
	if (since != 0 && now != 0)
		rte_tel_data_add_dict_u64(o, "age_ms", now > since ? now - since : 0);
}

static int
tel_neighbors(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dp_tables *t = __atomic_load_n(&dp_g.tables, __ATOMIC_ACQUIRE);
	struct dp_neigh_info n;
	struct show sh;
	char err[128];
	uint64_t now;
	int rc;

	RTE_SET_USED(cmd);
	rte_tel_data_start_dict(d);
	if (parse(&sh, params, "port", err, sizeof(err)) < 0) {
		rte_tel_data_add_dict_string(d, "error", err);
		return 0;
	}
	if (t == NULL)
		return 0;
	sh.d = d;
	/* the workers' clock: the TSC, or the capture time of the packets */
	now = dp_g.opts.clock == DP_CLOCK_PACKET ? atomic_load(&dp_g.pkt_now_us) / 1000 :
	      rte_rdtsc() / (dp_g.tsc_hz / 1000);
	for (unsigned i = 0; (rc = dp_neigh_get(i, &n)) != -ERANGE; i++)
		if (rc == 0)
			neigh_add(&sh, t->cfg, &n, now);
	for (unsigned i = 0; (rc = dp_nd6_get(i, &n)) != -ERANGE; i++)
		if (rc == 0)
			neigh_add(&sh, t->cfg, &n, now);
	page_end(&sh, t->generation);
	return 0;
}

/* ------------------------------------------------------------ reload */

static int
tel_reload(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dp_tables *t = __atomic_load_n(&dp_g.tables, __ATOMIC_ACQUIRE);
	uint64_t ok, rejected;
	char why[256];
	bool status = params != NULL && strcmp(params, "status") == 0;

	RTE_SET_USED(cmd);
	rte_tel_data_start_dict(d);
	if (params != NULL && *params != '\0' && !status) {
		rte_tel_data_add_dict_string(d, "error", "parameter: none (reload) or status");
		return 0;
	}
	dp_reload_status(&ok, &rejected, why, sizeof(why));
	if (!status)
		dp_reload_request();
	rte_tel_data_add_dict_string(d, "requested", status ? "no" : "yes");
	rte_tel_data_add_dict_u64(d, "reloaded", ok);
	rte_tel_data_add_dict_u64(d, "rejected", rejected);
	rte_tel_data_add_dict_u64(d, "generation", t != NULL ? t->generation : 0);
	if (why[0] != '\0')
		add_str(d, "last_rejection", why);
	return 0;
}

int
dp_show_telemetry_init(void)
{
	if (rte_telemetry_register_cmd("/vpcgw/routes", tel_routes,
		"Routes of every route table, a page of 32: ,table=NAME,page=N.") != 0 ||
	    rte_telemetry_register_cmd("/vpcgw/neighbors", tel_neighbors,
		"ARP and ND cache (state, age), a page of 32: ,port=NAME,page=N.") != 0 ||
	    rte_telemetry_register_cmd("/vpcgw/reload", tel_reload,
		"Reload the configuration file (as SIGHUP); ,status: the outcomes only.") != 0)
		return -EINVAL;
	return 0;
}
