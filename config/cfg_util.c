/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address helpers shared by the loader and the rest of vpcgw. All addresses
 * are IPv4 in host byte order. The parsers are strict on purpose: a
 * configuration is read by people, and "10.0.0.010" or "10.0.0.0/016" are
 * more likely typos than intent, so they are rejected rather than guessed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config/cfg.h"
#include "config/cfg_ld.h"

/* Parse one decimal field of at most 3 digits (no sign, no leading zero). */
static const char *
parse_octet(const char *s, unsigned int *v)
{
	unsigned int n = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9') {
		if (digits == 3 || (digits == 1 && n == 0))
			return NULL;
		n = n * 10 + (unsigned int)(*s - '0');
		digits++;
		s++;
	}
	if (digits == 0 || n > 255)
		return NULL;
	*v = n;
	return s;
}

static const char *
parse_ipv4_prefix(const char *s, uint32_t *addr)
{
	uint32_t a = 0;
	unsigned int v;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0) {
			if (*s != '.')
				return NULL;
			s++;
		}
		s = parse_octet(s, &v);
		if (s == NULL)
			return NULL;
		a = (a << 8) | v;
	}
	*addr = a;
	return s;
}

int
cfg_parse_ipv4(const char *s, uint32_t *addr)
{
	uint32_t a;

	if (s == NULL)
		return -EINVAL;
	s = parse_ipv4_prefix(s, &a);
	if (s == NULL || *s != '\0')
		return -EINVAL;
	*addr = a;
	return 0;
}

static uint32_t
prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

int
cfg_parse_prefix(const char *s, struct cfg_prefix *p)
{
	uint32_t a;
	unsigned int len = 0;
	int digits = 0;

	if (s == NULL)
		return -EINVAL;
	s = parse_ipv4_prefix(s, &a);
	if (s == NULL || *s != '/')
		return -EINVAL;
	s++;
	while (*s >= '0' && *s <= '9') {
		if (digits == 2 || (digits == 1 && len == 0))
			return -EINVAL;
		len = len * 10 + (unsigned int)(*s - '0');
		digits++;
		s++;
	}
	if (digits == 0 || *s != '\0' || len > 32)
		return -EINVAL;
	/* A CIDR names a network: host bits set means the user meant something else. */
	if ((a & ~prefix_mask((uint8_t)len)) != 0)
		return -EDOM;
	p->addr = a;
	p->len = (uint8_t)len;
	return 0;
}

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
cfg_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	int i, hi, lo;

	if (s == NULL)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (i > 0) {
			if (*s != ':')
				return -EINVAL;
			s++;
		}
		hi = hex_val(s[0]);
		if (hi < 0)
			return -EINVAL;
		lo = hex_val(s[1]);
		if (lo < 0)
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	if (*s != '\0')
		return -EINVAL;
	memcpy(mac, m, sizeof(m));
	return 0;
}

bool
cfg_prefix_contains(const struct cfg_prefix *p, uint32_t addr)
{
	return ((addr ^ p->addr) & prefix_mask(p->len)) == 0;
}

bool
cfg_prefix_overlap(const struct cfg_prefix *a, const struct cfg_prefix *b)
{
	/* Two prefixes overlap iff they agree on the shorter one's bits. */
	uint8_t len = a->len < b->len ? a->len : b->len;

	return ((a->addr ^ b->addr) & prefix_mask(len)) == 0;
}

int
cfg_subnet_of(const struct cfg *cfg, uint32_t addr)
{
	int i;

	for (i = 0; i < cfg->n_subnets; i++)
		if (cfg_prefix_contains(&cfg->subnets[i].cidr, addr))
			return i;
	return -1;
}

const char *
cfg_ipv4_str(uint32_t addr, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

/*
 * Names are data: any UTF-8 text without control characters (docs/config.md).
 * The writers escape them (JSON, Prometheus label values) or reduce them
 * (telemetry keys); control characters would still split the lines of logs
 * and of the exit summary, and bytes that are not UTF-8 make no JSON.
 * Returns NULL, or what is wrong, with *at the byte offset.
 */
const char *
cfg_name_problem(const char *v, size_t *at)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0;

	while (s[i]) {
		unsigned c = s[i], n, cp;

		*at = i;
		if (c < 0x20 || c == 0x7f)
			return "a control character";
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return "a byte that is not UTF-8";
		}
		for (unsigned k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return "a byte that is not UTF-8";
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return "a byte that is not UTF-8";
		if (cp >= 0x80 && cp <= 0x9f)
			return "a control character";
		i += n + 1;
	}
	return NULL;
}

/*
 * libconfig 1.5 calls exit() when an @include names something it cannot
 * read as a file (a directory, say): check every @include, recursively,
 * before libconfig sees the file. Returns the number of errors reported.
 */
int
ld_check_includes(struct ld *ld, const char *file, const char *dir, int depth)
{
	char line[4096], msg[1024], path[4096];
	FILE *fp;
	int lineno = 0, errs = 0;

	if (depth > 8) {
		snprintf(msg, sizeof(msg), "%s: @include: nested more than 8 deep", file);
		ld_emit(ld, file, 0, msg);
		return 1;
	}
	fp = fopen(file, "r");
	if (fp == NULL)
		return 0;       /* reported by the caller */
	while (fgets(line, sizeof(line), fp) != NULL) {
		const char *p = line, *q;
		struct stat st;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "@include", 8) != 0)
			continue;
		p = strchr(p, '"');
		q = p != NULL ? strchr(p + 1, '"') : NULL;
		if (p == NULL || q == NULL)
			continue;       /* libconfig reports the syntax */
		snprintf(path, sizeof(path), "%s%s%.*s", p[1] == '/' ? "" : dir,
			 p[1] == '/' ? "" : "/", (int)(q - p - 1), p + 1);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			snprintf(msg, sizeof(msg), "%s:%d: @include: \"%.*s\" is not a readable file",
				 file, lineno, (int)(q - p - 1), p + 1);
			ld_emit(ld, file, lineno, msg);
			errs++;
			continue;
		}
		errs += ld_check_includes(ld, path, dir, depth + 1);
	}
	fclose(fp);
	return errs;
}
