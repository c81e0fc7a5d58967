/* SPDX-License-Identifier: BSD-3-Clause */
/* vpcgw's log types and the stderr stream with time, level and type. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <rte_common.h>
#include <rte_log.h>

#include "dp/dp_log.h"

int dp_logtype_main = RTE_LOGTYPE_USER1;
int dp_logtype_port = RTE_LOGTYPE_USER1;
int dp_logtype_cfg = RTE_LOGTYPE_USER1;
int dp_logtype_health = RTE_LOGTYPE_USER1;

static const char *const level_names[] = {
	[RTE_LOG_EMERG] = "EMERG", [RTE_LOG_ALERT] = "ALERT", [RTE_LOG_CRIT] = "CRIT",
	[RTE_LOG_ERR] = "ERR", [RTE_LOG_WARNING] = "WARN", [RTE_LOG_NOTICE] = "NOTICE",
	[RTE_LOG_INFO] = "INFO", [RTE_LOG_DEBUG] = "DEBUG",
};

static const struct {
	int *id;
	const char *name;
} types[] = {
	{ &dp_logtype_main, "vpcgw.main" },
	{ &dp_logtype_port, "vpcgw.port" },
	{ &dp_logtype_cfg, "vpcgw.cfg" },
	{ &dp_logtype_health, "vpcgw.health" },
};

/* One rte_log call is one write here (rte_vlog formats it whole). */
static ssize_t
log_write(void *cookie, const char *buf, size_t size)
{
	char ts[48];
	const char *name = "dpdk";
	struct timeval tv;
	struct tm tm;
	int level = rte_log_cur_msg_loglevel(), type = rte_log_cur_msg_logtype();

	(void)cookie;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	for (size_t i = 0; i < RTE_DIM(types); i++)
		if (*types[i].id == type && type != (int)RTE_LOGTYPE_USER1)
			name = types[i].name;
	fprintf(stderr, "%s.%03ldZ %s %s: %.*s", ts, (long)(tv.tv_usec / 1000),
		level > 0 && level <= (int)RTE_LOG_DEBUG ? level_names[level] : "LOG", name,
		(int)size, buf);
	fflush(stderr);
	return (ssize_t)size;
}

int
dp_log_init(void)
{
	static cookie_io_functions_t io = { .write = log_write };
	FILE *f;

	for (size_t i = 0; i < RTE_DIM(types); i++) {
		/* the level --log-level gave (EAL saved it), else INFO */
		int id = rte_log_register_type_and_pick_level(types[i].name, RTE_LOG_INFO);

		if (id < 0)
			return id;
		*types[i].id = id;
	}
	f = fopencookie(NULL, "w", io);
	if (f == NULL)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	return rte_openlog_stream(f);
}
