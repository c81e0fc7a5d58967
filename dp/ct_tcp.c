/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP conntrack state machine: one table lookup per packet. The transitions
 * are documented in ct_tcp.h; the table below is their only encoding.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp/ct_tcp.h"

static_assert(FW_CT_TCP_NSTATES <= 1 << FW_CT_TCP_STATE_BITS, "TCP state must fit 4 bits");

/* What a packet's flags amount to, once the harmless ones are masked out. */
enum ct_tcp_class {
	CT_SYN,
	CT_SYNACK,
	CT_RST,
	CT_FIN,       /* FIN|ACK */
	CT_ACK,       /* ACK, with or without data */
	CT_NCLASSES,
	CT_BAD = CT_NCLASSES,
};

#define CT_TCP_F_KEY (FW_CT_TCP_F_FIN | FW_CT_TCP_F_SYN | FW_CT_TCP_F_RST | FW_CT_TCP_F_ACK)

static inline enum ct_tcp_class
ct_tcp_classify(uint8_t flags)
{
	switch (flags & CT_TCP_F_KEY) {
	case FW_CT_TCP_F_SYN:
		return CT_SYN;
	case FW_CT_TCP_F_SYN | FW_CT_TCP_F_ACK:
		return CT_SYNACK;
	case FW_CT_TCP_F_RST:
	case FW_CT_TCP_F_RST | FW_CT_TCP_F_ACK:
		return CT_RST;
	case FW_CT_TCP_F_FIN | FW_CT_TCP_F_ACK:
		return CT_FIN;
	case FW_CT_TCP_F_ACK:
		return CT_ACK;
	default:
		return CT_BAD;
	}
}

#define NO FW_CT_TCP_NONE
#define SS FW_CT_TCP_SYN_SENT
#define SR FW_CT_TCP_SYN_RECV
#define ES FW_CT_TCP_ESTABLISHED
#define FO FW_CT_TCP_FIN_WAIT_ORIG
#define FR FW_CT_TCP_FIN_WAIT_REPLY
#define TW FW_CT_TCP_TIME_WAIT
#define CL FW_CT_TCP_CLOSED
#define IV 0xff       /* invalid: state unchanged */

/* [direction][class][current state] -> next state. */
static const uint8_t ct_tcp_next_tab[2][CT_NCLASSES][FW_CT_TCP_NSTATES] = {
	[FW_CT_DIR_ORIG] = {
		/*              NO  SS  SR  ES  FO  FR  TW  CL */
		[CT_SYN]    = { SS, SS, SR, ES, FO, FR, SS, SS },
		[CT_SYNACK] = { IV, IV, IV, IV, IV, IV, IV, IV },
		[CT_RST]    = { IV, CL, CL, CL, CL, CL, CL, CL },
		[CT_FIN]    = { IV, IV, FO, FO, FO, TW, TW, IV },
		[CT_ACK]    = { IV, IV, ES, ES, FO, FR, TW, IV },
	},
	[FW_CT_DIR_REPLY] = {
		/*              NO  SS  SR  ES  FO  FR  TW  CL */
		[CT_SYN]    = { IV, IV, IV, IV, IV, IV, IV, IV },
		[CT_SYNACK] = { IV, SR, SR, ES, FO, FR, IV, IV },
		[CT_RST]    = { IV, CL, CL, CL, CL, CL, CL, CL },
		[CT_FIN]    = { IV, IV, FR, FR, TW, FR, TW, IV },
		[CT_ACK]    = { IV, IV, SR, ES, FO, FR, TW, IV },
	},
};

#undef NO
#undef SS
#undef SR
#undef ES
#undef FO
#undef FR
#undef TW
#undef CL

uint8_t
fw_ct_tcp_next(uint8_t state, int dir, uint8_t flags, bool *valid)
{
	enum ct_tcp_class c = ct_tcp_classify(flags);
	uint8_t next = IV;

	if (state < FW_CT_TCP_NSTATES && c != CT_BAD)
		next = ct_tcp_next_tab[dir != FW_CT_DIR_ORIG][c][state];
	if (valid != NULL)
		*valid = next != IV;
	return next != IV ? next : state;
}

#undef IV

bool
fw_ct_tcp_can_open(uint8_t flags)
{
	return ct_tcp_classify(flags) == CT_SYN;
}

static inline uint32_t
ct_tcp_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

uint32_t
fw_ct_tcp_timeout(uint8_t state, uint32_t established_timeout)
{
	switch (state) {
	case FW_CT_TCP_SYN_SENT:
		return ct_tcp_min(FW_CT_TCP_TO_SYN_SENT, established_timeout);
	case FW_CT_TCP_SYN_RECV:
		return ct_tcp_min(FW_CT_TCP_TO_SYN_RECV, established_timeout);
	case FW_CT_TCP_ESTABLISHED:
		return established_timeout;
	case FW_CT_TCP_FIN_WAIT_ORIG:
	case FW_CT_TCP_FIN_WAIT_REPLY:
		return ct_tcp_min(FW_CT_TCP_TO_FIN_WAIT, established_timeout);
	case FW_CT_TCP_TIME_WAIT:
		return ct_tcp_min(FW_CT_TCP_TO_TIME_WAIT, established_timeout);
	case FW_CT_TCP_CLOSED:
		return ct_tcp_min(FW_CT_TCP_TO_CLOSED, established_timeout);
	default:
		return 0;
	}
}

const char *
fw_ct_tcp_state_name(uint8_t state)
{
	static const char *const names[FW_CT_TCP_NSTATES] = {
		[FW_CT_TCP_NONE] = "none",
		[FW_CT_TCP_SYN_SENT] = "syn_sent",
		[FW_CT_TCP_SYN_RECV] = "syn_recv",
		[FW_CT_TCP_ESTABLISHED] = "established",
		[FW_CT_TCP_FIN_WAIT_ORIG] = "fin_wait_orig",
		[FW_CT_TCP_FIN_WAIT_REPLY] = "fin_wait_reply",
		[FW_CT_TCP_TIME_WAIT] = "time_wait",
		[FW_CT_TCP_CLOSED] = "closed",
	};

	return state < FW_CT_TCP_NSTATES ? names[state] : "invalid";
}
