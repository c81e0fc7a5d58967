/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NACL classifiers across a reload (issue #22, fw_nacl_rebuild): a NACL
 * direction whose rules did not change keeps the running generation's
 * rte_acl context (no build: reloads at AWS's quotas); a changed one, a
 * renamed one, a new one are built and classify by their new rules; either
 * generation can be freed first and the other still classifies.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_acl.h>
#include <rte_eal.h>
#include <rte_memory.h>

#include "config/cfg.h"
#include "fw/nacl.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define TCP 6

static struct cfg_rule
tcp_rule(uint16_t number, bool allow, uint16_t port)
{
	return (struct cfg_rule){ .number = number, .proto = TCP, .port_lo = port,
				  .port_hi = port, .icmp_type = -1, .icmp_code = -1,
				  .cidr = { 0, 0 }, .sg = -1, .allow = allow };
}

/* TCP from 203.0.113.9 to 10.0.1.10 port `port`, direction dir: 1 allowed */
static int
verdict(const struct fw_nacl_ctx *ctx, int nacl, enum fw_dir dir, uint16_t port)
{
	struct fw_acl_key k;
	const struct fw_acl_key *kp = &k;
	uint8_t v = 0xaa;

	memset(&k, 0, sizeof(k));
	k.proto = TCP;
	k.src = htonl(IP(203, 0, 113, 9));
	k.dst = htonl(IP(10, 0, 1, 10));
	k.sport = htons(40000);
	k.dport = htons(port);
	fw_nacl_classify(ctx, nacl, dir, &kp, &v, 1);
	return v;
}

static void
set_nacl(struct cfg_nacl *n, const char *name, struct cfg_rule *in, int nin,
	 struct cfg_rule *out, int nout)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->ingress = in;
	n->n_ingress = nin;
	n->egress = out;
	n->n_egress = nout;
}

static void
test_reuse(void **state)
{
	struct cfg_rule a_in[] = { tcp_rule(100, true, 80) };
	struct cfg_rule a_out[] = { tcp_rule(100, true, 443) };
	struct cfg_rule b_in[] = { tcp_rule(100, true, 22) };
	struct cfg_rule b_in2[] = { tcp_rule(100, true, 2222) };    /* changed */
	struct cfg_rule c_in[] = { tcp_rule(100, true, 8080) };
	struct cfg_nacl n1[2], n2[3];
	struct cfg c1, c2;
	struct fw_nacl_ctx *g1, *g2;
	int err = 1;

	(void)state;
	memset(&c1, 0, sizeof(c1));
	memset(&c2, 0, sizeof(c2));
	set_nacl(&n1[0], "a", a_in, 1, a_out, 1);
	set_nacl(&n1[1], "b", b_in, 1, NULL, 0);
	c1.nacls = n1;
	c1.n_nacls = 2;
	g1 = fw_nacl_build(&c1, SOCKET_ID_ANY, 1, &err);
	assert_non_null(g1);
	/* generation 2: a first is now second and unchanged, b changed, c new */
	set_nacl(&n2[0], "c", c_in, 1, NULL, 0);
	set_nacl(&n2[1], "a", a_in, 1, a_out, 1);
	set_nacl(&n2[2], "b", b_in2, 1, NULL, 0);
	c2.nacls = n2;
	c2.n_nacls = 3;
	g2 = fw_nacl_rebuild(&c2, SOCKET_ID_ANY, 2, g1, &c1, &err);
	assert_non_null(g2);
	assert_int_equal(err, 0);
	/* a's two directions were reused, not built: no generation-2 context of it */
	assert_non_null(rte_acl_find_existing("nacl1_0i"));
	assert_non_null(rte_acl_find_existing("nacl1_0e"));
	assert_null(rte_acl_find_existing("nacl2_1i"));
	assert_null(rte_acl_find_existing("nacl2_1e"));
	/* b and c were built for generation 2 */
	assert_non_null(rte_acl_find_existing("nacl2_2i"));
	assert_non_null(rte_acl_find_existing("nacl2_0i"));

	assert_int_equal(verdict(g2, 1, FW_DIR_INGRESS, 80), 1);
	assert_int_equal(verdict(g2, 1, FW_DIR_INGRESS, 81), 0);
	assert_int_equal(verdict(g2, 1, FW_DIR_EGRESS, 443), 1);
	assert_int_equal(verdict(g2, 2, FW_DIR_INGRESS, 22), 0);
	assert_int_equal(verdict(g2, 2, FW_DIR_INGRESS, 2222), 1);
	assert_int_equal(verdict(g2, 0, FW_DIR_INGRESS, 8080), 1);
	assert_int_equal(verdict(g2, 0, FW_DIR_EGRESS, 8080), 0);   /* no rule: deny */
	assert_int_equal(verdict(g1, 1, FW_DIR_INGRESS, 22), 1);    /* g1 as it was */

	/* the running generation goes first: what g2 shares stays */
	fw_nacl_free(g1);
	assert_non_null(rte_acl_find_existing("nacl1_0i"));
	assert_null(rte_acl_find_existing("nacl1_1i"));             /* old b: gone */
	assert_int_equal(verdict(g2, 1, FW_DIR_INGRESS, 80), 1);
	assert_int_equal(verdict(g2, 1, FW_DIR_EGRESS, 443), 1);

	/* generation 3 from g2 (its prev freed): shares again, then g2 goes */
	{
		struct fw_nacl_ctx *g3 = fw_nacl_rebuild(&c2, SOCKET_ID_ANY, 3, g2, &c2, &err);

		assert_non_null(g3);
		assert_null(rte_acl_find_existing("nacl3_0i"));
		fw_nacl_free(g2);
		assert_int_equal(verdict(g3, 1, FW_DIR_INGRESS, 80), 1);
		assert_int_equal(verdict(g3, 2, FW_DIR_INGRESS, 2222), 1);
		fw_nacl_free(g3);
	}
	assert_null(rte_acl_find_existing("nacl1_0i"));
	assert_null(rte_acl_find_existing("nacl2_2i"));
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { "test", "--no-huge", "-m", "128", "--no-pci", "--file-prefix", prefix,
			"--log-level", "error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse),
	};
	int ret;

	(void)argc;
	(void)argv;
	snprintf(prefix, sizeof(prefix), "test_nacl_reload_%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
