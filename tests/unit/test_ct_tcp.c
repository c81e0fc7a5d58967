/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of fw/ct_tcp.c: packet sequences of real TCP exchanges (RFC 9293
 * §3.5/3.6 handshake and close) and the rules of ct_tcp.h, written as
 * scripts of (direction, flags) -> expected state and verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fw/ct_tcp.h"

#define O FW_CT_DIR_ORIG
#define R FW_CT_DIR_REPLY

#define F_SYN FW_CT_TCP_F_SYN
#define F_SYNACK (FW_CT_TCP_F_SYN | FW_CT_TCP_F_ACK)
#define F_ACK FW_CT_TCP_F_ACK
#define F_DATA (FW_CT_TCP_F_ACK | FW_CT_TCP_F_PSH)
#define F_FIN (FW_CT_TCP_F_FIN | FW_CT_TCP_F_ACK)
#define F_RST FW_CT_TCP_F_RST
#define F_RSTACK (FW_CT_TCP_F_RST | FW_CT_TCP_F_ACK)

#define NONE FW_CT_TCP_NONE
#define SYN_SENT FW_CT_TCP_SYN_SENT
#define SYN_RECV FW_CT_TCP_SYN_RECV
#define ESTAB FW_CT_TCP_ESTABLISHED
#define FIN_O FW_CT_TCP_FIN_WAIT_ORIG
#define FIN_R FW_CT_TCP_FIN_WAIT_REPLY
#define TIME_WAIT FW_CT_TCP_TIME_WAIT
#define CLOSED FW_CT_TCP_CLOSED

struct step {
	int dir;
	uint8_t flags;
	uint8_t state;        /* expected state after the packet */
	bool valid;           /* expected verdict */
};

/* Feed steps to a flow starting in state from; fail at the first mismatch. */
static void
run(uint8_t from, const struct step *s, size_t n, const char *file, int line)
{
	uint8_t st = from;
	size_t i;

	for (i = 0; i < n; i++) {
		bool valid = !s[i].valid;
		uint8_t next = fw_ct_tcp_next(st, s[i].dir, s[i].flags, &valid);

		if (next != s[i].state || valid != s[i].valid)
			print_error("step %zu: %s + dir %d flags 0x%02x -> %s valid %d, "
				    "want %s valid %d\n",
				    i, fw_ct_tcp_state_name(st), s[i].dir, s[i].flags,
				    fw_ct_tcp_state_name(next), valid,
				    fw_ct_tcp_state_name(s[i].state), s[i].valid);
		_assert_int_equal(next, s[i].state, file, line);
		_assert_int_equal(valid, s[i].valid, file, line);
		st = next;
	}
}

#define RUN(from, steps) \
	run((from), (steps), sizeof(steps) / sizeof((steps)[0]), __FILE__, __LINE__)

/* One packet: from state, expect next and verdict. */
static void
one(uint8_t from, int dir, uint8_t flags, uint8_t want, bool want_valid, const char *file, int line)
{
	const struct step s = { dir, flags, want, want_valid };

	run(from, &s, 1, file, line);
}

#define ONE(from, dir, flags, want, v) one((from), (dir), (flags), (want), (v), __FILE__, __LINE__)

static void
test_open_data_orig_closes(void **state)
{
	static const struct step s[] = {
		{ O, F_SYN, SYN_SENT, true },
		{ R, F_SYNACK, SYN_RECV, true },
		{ O, F_ACK, ESTAB, true },
		{ O, F_DATA, ESTAB, true },
		{ R, F_ACK, ESTAB, true },
		{ R, F_DATA, ESTAB, true },
		{ O, F_ACK, ESTAB, true },
		{ O, F_FIN, FIN_O, true },
		{ R, F_ACK, FIN_O, true },        /* ACK of the FIN */
		{ R, F_DATA, FIN_O, true },       /* half close: reply still sends */
		{ O, F_ACK, FIN_O, true },
		{ R, F_FIN, TIME_WAIT, true },
		{ O, F_ACK, TIME_WAIT, true },    /* last ACK */
	};

	RUN(NONE, s);
}

static void
test_open_data_reply_closes(void **state)
{
	static const struct step s[] = {
		{ O, F_SYN, SYN_SENT, true },
		{ R, F_SYNACK, SYN_RECV, true },
		{ O, F_DATA, ESTAB, true },       /* third ACK carrying data */
		{ R, F_DATA, ESTAB, true },
		{ R, F_FIN, FIN_R, true },
		{ O, F_ACK, FIN_R, true },
		{ O, F_DATA, FIN_R, true },       /* half close: originator still sends */
		{ R, F_ACK, FIN_R, true },
		{ O, F_FIN, TIME_WAIT, true },
		{ R, F_ACK, TIME_WAIT, true },
	};

	RUN(NONE, s);
}

static void
test_simultaneous_close(void **state)
{
	/* Both FINs cross on the wire, seen in either order; then both ACKs. */
	static const struct step orig_first[] = {
		{ O, F_FIN, FIN_O, true },
		{ R, F_FIN, TIME_WAIT, true },
		{ O, F_ACK, TIME_WAIT, true },
		{ R, F_ACK, TIME_WAIT, true },
		{ O, F_FIN, TIME_WAIT, true },    /* retransmitted FINs */
		{ R, F_FIN, TIME_WAIT, true },
	};
	static const struct step reply_first[] = {
		{ R, F_FIN, FIN_R, true },
		{ O, F_FIN, TIME_WAIT, true },
		{ R, F_ACK, TIME_WAIT, true },
		{ O, F_ACK, TIME_WAIT, true },
	};

	RUN(ESTAB, orig_first);
	RUN(ESTAB, reply_first);
}

static void
test_retransmissions(void **state)
{
	static const struct step s[] = {
		{ O, F_SYN, SYN_SENT, true },
		{ O, F_SYN, SYN_SENT, true },     /* SYN retransmitted */
		{ O, F_SYN, SYN_SENT, true },
		{ R, F_SYNACK, SYN_RECV, true },
		{ R, F_SYNACK, SYN_RECV, true },  /* SYN-ACK retransmitted */
		{ O, F_SYN, SYN_RECV, true },     /* SYN-ACK lost: client retries SYN */
		{ O, F_ACK, ESTAB, true },
		{ R, F_SYNACK, ESTAB, true },     /* third ACK lost: SYN-ACK again */
		{ O, F_ACK, ESTAB, true },
		{ O, F_FIN, FIN_O, true },
		{ O, F_FIN, FIN_O, true },        /* FIN retransmitted */
		{ R, F_FIN, TIME_WAIT, true },
		{ R, F_FIN, TIME_WAIT, true },
	};

	RUN(NONE, s);
	ONE(FIN_R, R, F_FIN, FIN_R, true);
	ONE(FIN_O, R, F_SYNACK, FIN_O, true);
	ONE(FIN_R, R, F_SYNACK, FIN_R, true);
}

/* Early FINs and server data right after the SYN-ACK (TCP Fast Open). */
static void
test_syn_recv_variants(void **state)
{
	static const struct step fin_with_ack[] = {
		{ O, F_SYN, SYN_SENT, true },
		{ R, F_SYNACK, SYN_RECV, true },
		{ O, F_FIN, FIN_O, true },        /* handshake ACK carries FIN */
		{ R, F_FIN, TIME_WAIT, true },
	};
	static const struct step fast_open[] = {
		{ O, F_SYN, SYN_SENT, true },
		{ R, F_SYNACK, SYN_RECV, true },
		{ R, F_DATA, SYN_RECV, true },
		{ R, F_FIN, FIN_R, true },
		{ O, F_ACK, FIN_R, true },
		{ O, F_FIN, TIME_WAIT, true },
	};

	RUN(NONE, fin_with_ack);
	RUN(NONE, fast_open);
}

static void
test_rst_each_state_each_side(void **state)
{
	static const uint8_t rst_flags[] = { F_RST, F_RSTACK, F_RST | FW_CT_TCP_F_PSH };
	uint8_t st;
	size_t f;
	int dir;

	for (st = SYN_SENT; st < FW_CT_TCP_NSTATES; st++)
		for (dir = O; dir <= R; dir++)
			for (f = 0; f < sizeof(rst_flags); f++)
				ONE(st, dir, rst_flags[f], CLOSED, true);
	/* A RST cannot create a flow. */
	ONE(NONE, O, F_RST, NONE, false);
	ONE(NONE, O, F_RSTACK, NONE, false);
	ONE(NONE, R, F_RST, NONE, false);
}

/* The usual RST cases, as scripts. */
static void
test_rst_scripts(void **state)
{
	static const struct step port_closed[] = {
		{ O, F_SYN, SYN_SENT, true },
		{ R, F_RSTACK, CLOSED, true },
		{ R, F_RSTACK, CLOSED, true },    /* duplicate */
		{ O, F_ACK, CLOSED, false },      /* nothing but a new SYN */
		{ O, F_SYN, SYN_SENT, true },     /* client retries: reopened */
	};
	static const struct step abort_mid[] = {
		{ O, F_SYN, SYN_SENT, true },
		{ R, F_SYNACK, SYN_RECV, true },
		{ O, F_ACK, ESTAB, true },
		{ O, F_DATA, ESTAB, true },
		{ O, F_RST, CLOSED, true },
		{ R, F_DATA, CLOSED, false },     /* in flight when the RST passed */
		{ R, F_FIN, CLOSED, false },
		{ R, F_SYNACK, CLOSED, false },
	};

	RUN(NONE, port_closed);
	RUN(NONE, abort_mid);
}

static void
test_reopen(void **state)
{
	ONE(TIME_WAIT, O, F_SYN, SYN_SENT, true);
	ONE(CLOSED, O, F_SYN, SYN_SENT, true);
	ONE(CLOSED, O, F_SYN | FW_CT_TCP_F_ECE | FW_CT_TCP_F_CWR, SYN_SENT, true);
	/* The reply side cannot reopen: the flow keeps its direction. */
	ONE(TIME_WAIT, R, F_SYN, TIME_WAIT, false);
	ONE(CLOSED, R, F_SYN, CLOSED, false);
	/* A SYN on a live flow passes without changing it (stale entry recovery). */
	ONE(ESTAB, O, F_SYN, ESTAB, true);
	ONE(FIN_O, O, F_SYN, FIN_O, true);
	ONE(FIN_R, O, F_SYN, FIN_R, true);
}

static void
test_invalid_transitions(void **state)
{
	static const struct {
		uint8_t st;
		int dir;
		uint8_t flags;
	} bad[] = {
		/* No flow: only an originator SYN creates one. */
		{ NONE, O, F_SYNACK }, { NONE, O, F_ACK }, { NONE, O, F_DATA }, { NONE, O, F_FIN },
		{ NONE, R, F_SYN }, { NONE, R, F_SYNACK }, { NONE, R, F_ACK }, { NONE, R, F_FIN },
		/* SYN-ACK from the originator, in every state. */
		{ SYN_SENT, O, F_SYNACK }, { SYN_RECV, O, F_SYNACK }, { ESTAB, O, F_SYNACK },
		{ FIN_O, O, F_SYNACK }, { FIN_R, O, F_SYNACK }, { TIME_WAIT, O, F_SYNACK },
		{ CLOSED, O, F_SYNACK },
		/* Before the SYN-ACK: no data, no FIN, from either side. */
		{ SYN_SENT, R, F_ACK }, { SYN_SENT, R, F_DATA }, { SYN_SENT, R, F_FIN },
		{ SYN_SENT, O, F_ACK }, { SYN_SENT, O, F_DATA }, { SYN_SENT, O, F_FIN },
		/* A SYN from the reply side (simultaneous open unsupported). */
		{ SYN_SENT, R, F_SYN }, { SYN_RECV, R, F_SYN }, { ESTAB, R, F_SYN },
		{ FIN_O, R, F_SYN }, { FIN_R, R, F_SYN }, { TIME_WAIT, R, F_SYN },
		/* Handshake replayed after both FINs or a RST. */
		{ TIME_WAIT, R, F_SYNACK }, { CLOSED, R, F_SYNACK },
		/* After a RST only RST or a new SYN. */
		{ CLOSED, O, F_ACK }, { CLOSED, O, F_FIN },
		{ CLOSED, R, F_ACK }, { CLOSED, R, F_FIN },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ONE(bad[i].st, bad[i].dir, bad[i].flags, bad[i].st, false);
}

/* Flag combinations no TCP stack sends (scans): invalid everywhere. */
static void
test_bad_flags(void **state)
{
	static const uint8_t bad[] = {
		0,                                                          /* NULL scan */
		FW_CT_TCP_F_FIN,                                            /* FIN scan */
		FW_CT_TCP_F_FIN | FW_CT_TCP_F_PSH | FW_CT_TCP_F_URG,        /* Xmas scan */
		FW_CT_TCP_F_SYN | FW_CT_TCP_F_FIN,
		FW_CT_TCP_F_SYN | FW_CT_TCP_F_FIN | FW_CT_TCP_F_ACK,
		FW_CT_TCP_F_SYN | FW_CT_TCP_F_RST,
		FW_CT_TCP_F_FIN | FW_CT_TCP_F_RST | FW_CT_TCP_F_ACK,
		0xff,
		FW_CT_TCP_F_PSH | FW_CT_TCP_F_URG,
	};
	uint8_t st;
	size_t i;
	int dir;

	for (st = NONE; st < FW_CT_TCP_NSTATES; st++)
		for (dir = O; dir <= R; dir++)
			for (i = 0; i < sizeof(bad); i++)
				ONE(st, dir, bad[i], st, false);
}

/* ECN and PSH/URG bits do not change what a segment is. */
static void
test_ignored_flags(void **state)
{
	static const struct step s[] = {
		{ O, F_SYN | FW_CT_TCP_F_ECE | FW_CT_TCP_F_CWR, SYN_SENT, true },
		{ R, F_SYNACK | FW_CT_TCP_F_ECE, SYN_RECV, true },
		{ O, F_ACK | FW_CT_TCP_F_CWR, ESTAB, true },
		{ R, F_ACK | FW_CT_TCP_F_URG | FW_CT_TCP_F_PSH | FW_CT_TCP_F_ECE, ESTAB, true },
		{ O, F_FIN | FW_CT_TCP_F_PSH, FIN_O, true },
		{ R, F_FIN | FW_CT_TCP_F_PSH | FW_CT_TCP_F_URG, TIME_WAIT, true },
	};

	RUN(NONE, s);
}

/* Any packet in any state: a state in range, unchanged when invalid. */
static void
test_exhaustive_properties(void **state)
{
	unsigned int st, flags;
	int dir;

	for (st = 0; st < 256; st++)
		for (dir = O; dir <= R; dir++)
			for (flags = 0; flags < 256; flags++) {
				bool valid = true;
				uint8_t next = fw_ct_tcp_next(st, dir, flags, &valid);

				if (st >= FW_CT_TCP_NSTATES)
					assert_false(valid);
				if (!valid)
					assert_int_equal(next, st);
				else
					assert_in_range(next, SYN_SENT, FW_CT_TCP_NSTATES - 1);
				/* Only an originator SYN leaves NONE, to SYN_SENT. */
				if (st == NONE && valid)
					assert_true(dir == O && next == SYN_SENT);
				/* NULL verdict pointer is allowed. */
				assert_int_equal(fw_ct_tcp_next(st, dir, flags, NULL), next);
				/* Any non-zero direction is the reply side. */
				assert_int_equal(fw_ct_tcp_next(st, dir ? 7 : 0, flags, NULL),
						 next);
			}
}

static void
test_can_open(void **state)
{
	unsigned int flags;

	assert_true(fw_ct_tcp_can_open(F_SYN));
	assert_true(fw_ct_tcp_can_open(F_SYN | FW_CT_TCP_F_ECE | FW_CT_TCP_F_CWR));
	assert_false(fw_ct_tcp_can_open(F_SYNACK));
	assert_false(fw_ct_tcp_can_open(F_ACK));       /* no mid-stream pickup */
	assert_false(fw_ct_tcp_can_open(F_DATA));
	assert_false(fw_ct_tcp_can_open(F_FIN));
	assert_false(fw_ct_tcp_can_open(F_RST));
	assert_false(fw_ct_tcp_can_open(0));
	assert_false(fw_ct_tcp_can_open(F_SYN | FW_CT_TCP_F_FIN));
	assert_false(fw_ct_tcp_can_open(F_SYN | FW_CT_TCP_F_RST));
	/* Same answer as the state machine's NONE row. */
	for (flags = 0; flags < 256; flags++) {
		bool valid;
		uint8_t next = fw_ct_tcp_next(NONE, O, flags, &valid);

		assert_int_equal(fw_ct_tcp_can_open(flags), valid);
		if (valid)
			assert_int_equal(next, SYN_SENT);
	}
}

static void
test_timeouts(void **state)
{
	static const uint32_t est[] = { 432000, 350, 60, 20, 0 };
	uint32_t e;
	size_t i;

	/* The SG default: short half-open and closing timeouts. */
	assert_int_equal(fw_ct_tcp_timeout(SYN_SENT, 432000), 30);
	assert_int_equal(fw_ct_tcp_timeout(SYN_RECV, 432000), 60);
	assert_int_equal(fw_ct_tcp_timeout(ESTAB, 432000), 432000);
	assert_int_equal(fw_ct_tcp_timeout(FIN_O, 432000), 120);
	assert_int_equal(fw_ct_tcp_timeout(FIN_R, 432000), 120);
	assert_int_equal(fw_ct_tcp_timeout(TIME_WAIT, 432000), 30);
	assert_int_equal(fw_ct_tcp_timeout(CLOSED, 432000), 10);
	/* NAT/NLB idle timeout 350 s: same short values. */
	assert_int_equal(fw_ct_tcp_timeout(ESTAB, 350), 350);
	assert_int_equal(fw_ct_tcp_timeout(FIN_O, 350), 120);
	/* The smallest configurable established timeout caps the others. */
	assert_int_equal(fw_ct_tcp_timeout(ESTAB, 60), 60);
	assert_int_equal(fw_ct_tcp_timeout(FIN_O, 60), 60);
	assert_int_equal(fw_ct_tcp_timeout(FIN_R, 60), 60);
	assert_int_equal(fw_ct_tcp_timeout(SYN_RECV, 60), 60);
	assert_int_equal(fw_ct_tcp_timeout(SYN_SENT, 60), 30);
	assert_int_equal(fw_ct_tcp_timeout(TIME_WAIT, 60), 30);
	assert_int_equal(fw_ct_tcp_timeout(CLOSED, 60), 10);
	/* Never stored, never kept. */
	assert_int_equal(fw_ct_tcp_timeout(NONE, 432000), 0);
	assert_int_equal(fw_ct_tcp_timeout(FW_CT_TCP_NSTATES, 432000), 0);
	assert_int_equal(fw_ct_tcp_timeout(255, 432000), 0);

	for (i = 0; i < sizeof(est) / sizeof(est[0]); i++) {
		uint8_t st;

		e = est[i];
		for (st = SYN_SENT; st < FW_CT_TCP_NSTATES; st++) {
			assert_true(fw_ct_tcp_timeout(st, e) <= e);
			if (st != ESTAB && e >= 60)
				assert_true(fw_ct_tcp_timeout(st, e) > 0);
		}
		/* Short: half-open and closing states below the established one. */
		if (e >= 350)
			for (st = SYN_SENT; st < FW_CT_TCP_NSTATES; st++)
				if (st != ESTAB)
					assert_true(fw_ct_tcp_timeout(st, e) < e);
	}
}

static void
test_state_names(void **state)
{
	unsigned int i, j;

	assert_string_equal(fw_ct_tcp_state_name(NONE), "none");
	assert_string_equal(fw_ct_tcp_state_name(SYN_SENT), "syn_sent");
	assert_string_equal(fw_ct_tcp_state_name(ESTAB), "established");
	assert_string_equal(fw_ct_tcp_state_name(TIME_WAIT), "time_wait");
	assert_string_equal(fw_ct_tcp_state_name(CLOSED), "closed");
	assert_string_equal(fw_ct_tcp_state_name(FW_CT_TCP_NSTATES), "invalid");
	assert_string_equal(fw_ct_tcp_state_name(255), "invalid");
	for (i = 0; i < FW_CT_TCP_NSTATES; i++) {
		const char *s = fw_ct_tcp_state_name(i);

		assert_non_null(s);
		for (; *s != '\0'; s++)
			assert_true((*s >= 'a' && *s <= 'z') || *s == '_');
		for (j = 0; j < i; j++)
			assert_string_not_equal(fw_ct_tcp_state_name(i), fw_ct_tcp_state_name(j));
	}
	assert_true(FW_CT_TCP_NSTATES <= 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_data_orig_closes),
		cmocka_unit_test(test_open_data_reply_closes),
		cmocka_unit_test(test_simultaneous_close),
		cmocka_unit_test(test_retransmissions),
		cmocka_unit_test(test_syn_recv_variants),
		cmocka_unit_test(test_rst_each_state_each_side),
		cmocka_unit_test(test_rst_scripts),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_invalid_transitions),
		cmocka_unit_test(test_bad_flags),
		cmocka_unit_test(test_ignored_flags),
		cmocka_unit_test(test_exhaustive_properties),
		cmocka_unit_test(test_can_open),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
