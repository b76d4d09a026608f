/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <string.h>

#include "util/utf8.h"
#include "util/xmalloc.h"

size_t
utf8_seqlen(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp;
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

bool
utf8_valid(const char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		if ((len = utf8_seqlen(s + i, n - i)) == 0)
			return false;
		i += len;
	}
	return true;
}

char *
utf8_sanitize(const char *s, size_t n, size_t *outlen)
{
	/* One ill-formed byte grows into the three of U+FFFD. */
	char *out = xreallocarray(NULL, n + 1, 3);
	size_t i = 0, o = 0, len;

	while (i < n) {
		if ((len = utf8_seqlen(s + i, n - i)) == 0) {
			memcpy(out + o, UTF8_REPLACEMENT, 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, s + i, len);
		o += len;
		i += len;
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return out;
}

char *
utf8_decode(const char *str, size_t n, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)str;
	char *out = xreallocarray(NULL, n + 1, 3);
	size_t i = 0, o = 0, len, k;
	unsigned char lo, hi;

	while (i < n) {
		if ((len = utf8_seqlen(str + i, n - i)) > 0) {
			memcpy(out + o, str + i, len);
			o += len;
			i += len;
			continue;
		}
		/* The Encoding standard's bounds on the byte after a lead. */
		lo = s[i] == 0xe0 ? 0xa0 : s[i] == 0xf0 ? 0x90 : 0x80;
		hi = s[i] == 0xed ? 0x9f : s[i] == 0xf4 ? 0x8f : 0xbf;
		len = s[i] >= 0xc2 && s[i] <= 0xdf ? 2 :
		    s[i] >= 0xe0 && s[i] <= 0xef ? 3 :
		    s[i] >= 0xf0 && s[i] <= 0xf4 ? 4 : 1;
		for (k = 1; k < len && i + k < n; k++) {
			if (s[i + k] < lo || s[i + k] > hi)
				break;
			lo = 0x80;
			hi = 0xbf;
		}
		memcpy(out + o, UTF8_REPLACEMENT, 3);
		o += 3;
		i += k;
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return out;
}

char *
utf8_line(char *buf, size_t size, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0, len;

	while (i < n) {
		const char *piece = s + i;
		size_t plen;

		if ((len = utf8_seqlen(s + i, n - i)) == 0) {
			piece = UTF8_REPLACEMENT;
			plen = 3;
			len = 1;
		} else if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f ||
		    (len == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)) {
			piece = "?";
			plen = 1;
		} else
			plen = len;
		if (o + plen >= size)
			break;
		memcpy(buf + o, piece, plen);
		o += plen;
		i += len;
	}
	buf[o] = '\0';
	return buf;
}
