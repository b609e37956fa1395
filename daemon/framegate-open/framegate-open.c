// SPDX-License-Identifier: GPL-2.0
/*
 * framegate-open: the tenant's side of sealed frames (sealed.h,
 * Documentation/sealed-frames.rst).
 *
 *   framegate-open genkey -o KEY      a key pair: KEY (private, 0600) and
 *                                     KEY.pub, both PEM; prints the
 *                                     public_key line of framegated.conf
 *   framegate-open [-qv] -k KEY [-o DIR] [-e SESSION=END]... FILE|DIR...
 *
 * Opens each object in the order given (a directory: its entries in
 * version order, recursively), checks what the format promises and what
 * the objects before it imply, and writes each JPEG that passes to
 * DIR/SESSION-CAMERA-SEQUENCE.jpg. A refused object gets one line on
 * standard error, "FILE: refused: REASON", and nothing written. Exit 0
 * when every object opened, 1 when any was refused, 2 on a usage, key or
 * I/O error.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sealed.h"

/* Capture times this far past the verifier's clock are refused. */
#define FUTURE_SLACK_NS	(300ull * 1000000000ull)
#define STREAMS_MAX	4096
#define ENDS_MAX	256

struct stream {			/* one (session, camera) seen so far */
	uint64_t session_id;
	uint32_t camera_id;
	uint64_t last;
};

static struct {
	struct fg_sealed_opener	 op;
	const char		*outdir;
	int			 verbose;	/* -v: a line per object */
	int			 quiet;		/* -q: no summary */
	struct stream		 streams[STREAMS_MAX];
	unsigned int		 nstreams;
	struct {
		uint64_t session_id;
		uint64_t end_ns;
	}			 ends[ENDS_MAX];
	unsigned int		 nends;
	unsigned long		 opened, refused;
} v;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
		"usage: framegate-open genkey -o KEY\n"
		"       framegate-open [-qv] -k KEY [-o DIR] [-e SESSION=END_NS]... "
		"FILE|DIR...\n");
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "framegate-open: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* ---- keys ------------------------------------------------------------ */

static int
genkey(const char *path)
{
	uint8_t raw[FG_SEALED_KEY_LEN], b64[4 * ((FG_SEALED_KEY_LEN + 2) / 3) + 1];
	size_t rawlen = sizeof(raw);
	char pubpath[4096];
	EVP_PKEY *k = NULL;
	FILE *f;
	int fd;

	if (snprintf(pubpath, sizeof(pubpath), "%s.pub", path) >=
	    (int)sizeof(pubpath))
		die("%s: name too long", path);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	if (k == NULL)
		die("cannot make an X25519 key");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	if ((f = fdopen(fd, "w")) == NULL ||
	    !PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) ||
	    fclose(f) != 0) {
		unlink(path);
		die("%s: cannot write the key", path);
	}
	fd = open(pubpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL ||
	    !PEM_write_PUBKEY(f, k) || fclose(f) != 0) {
		unlink(path);
		die("%s: cannot write the public key", pubpath);
	}
	if (EVP_PKEY_get_raw_public_key(k, raw, &rawlen) <= 0 ||
	    rawlen != sizeof(raw))
		die("cannot read the public key back");
	EVP_EncodeBlock(b64, raw, sizeof(raw));
	EVP_PKEY_free(k);
	printf("%s: private key\n%s: public key\npublic_key = %s\n", path,
	       pubpath, (char *)b64);
	return 0;
}

static void
load_key(const char *path)
{
	uint8_t raw[FG_SEALED_KEY_LEN];
	size_t len = sizeof(raw);
	EVP_PKEY *k;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		die("%s: %s", path, strerror(errno));
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL)
		die("%s: not a PEM private key", path);
	if (EVP_PKEY_get_id(k) != EVP_PKEY_X25519 ||
	    EVP_PKEY_get_raw_private_key(k, raw, &len) <= 0 ||
	    len != sizeof(raw))
		die("%s: not an X25519 private key", path);
	EVP_PKEY_free(k);
	if (fg_sealed_opener_init(&v.op, raw) != 0)
		die("%s: the key does not work", path);
	OPENSSL_cleanse(raw, sizeof(raw));
}

/* ---- checks across objects ------------------------------------------- */

static uint64_t
session_end(uint64_t sid)
{
	unsigned int i;

	for (i = 0; i < v.nends; i++)
		if (v.ends[i].session_id == sid)
			return v.ends[i].end_ns;
	return UINT64_MAX;
}

static struct stream *
stream_of(const struct fg_sealed_hdr *h)
{
	unsigned int i;

	for (i = 0; i < v.nstreams; i++)
		if (v.streams[i].session_id == h->session_id &&
		    v.streams[i].camera_id == h->camera_id)
			return &v.streams[i];
	if (v.nstreams == STREAMS_MAX)
		die("more than %d sessions and cameras in one run", STREAMS_MAX);
	v.streams[v.nstreams].session_id = h->session_id;
	v.streams[v.nstreams].camera_id = h->camera_id;
	v.streams[v.nstreams].last = UINT64_MAX;	/* none yet */
	return &v.streams[v.nstreams++];
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- one object ------------------------------------------------------ */

static void
refuse(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
refuse(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: refused: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	v.refused++;
}

static void
hex(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* The whole file into a buffer (*len bytes): NULL and errno on error. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &st) != 0 ||
	    (uint64_t)st.st_size > FG_SEALED_OVERHEAD + FG_SEALED_PAYLOAD_MAX) {
		errno = errno ? errno : EFBIG;
		close(fd);
		return NULL;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	*len = got;
	return buf;
}

static void
write_out(const char *path, const struct fg_sealed_hdr *h, const void *jpeg)
{
	char name[4096], tmp[4096 + 4];
	FILE *f;

	if (snprintf(name, sizeof(name), "%s/%" PRIu64 "-%" PRIu32 "-%" PRIu64
		     ".jpg", v.outdir, h->session_id, h->camera_id,
		     h->sequence) >= (int)sizeof(name))
		die("%s: name too long", v.outdir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	if ((f = fopen(tmp, "we")) == NULL ||
	    fwrite(jpeg, 1, h->payload_len, f) != h->payload_len ||
	    fclose(f) != 0 || rename(tmp, name) != 0) {
		unlink(tmp);
		die("%s: cannot write %s: %s", path, name, strerror(errno));
	}
	if (v.verbose)
		printf("%s: opened: session %" PRIu64 " camera %" PRIu32
		       " sequence %" PRIu64 ", %u bytes -> %s\n", path,
		       h->session_id, h->camera_id, h->sequence, h->payload_len,
		       name);
}

static void
open_one(const char *path)
{
	char mine[2 * FG_SEALED_TENANT_ID_LEN + 1];
	char theirs[2 * FG_SEALED_TENANT_ID_LEN + 1];
	enum fg_sealed_reason r;
	struct fg_sealed_hdr h;
	struct stream *s;
	uint8_t *buf, *jpeg;
	size_t len = 0;

	if ((buf = slurp(path, &len)) == NULL)
		die("%s: %s", path, strerror(errno));
	r = fg_sealed_parse(buf, len, &h);
	if (r != FG_SEALED_OK) {
		refuse(path, "%s", fg_sealed_reason_str(r));
		goto out;
	}
	if (memcmp(h.tenant_id, v.op.tenant_id, sizeof(h.tenant_id)) != 0) {
		hex(theirs, h.tenant_id, sizeof(h.tenant_id));
		hex(mine, v.op.tenant_id, sizeof(v.op.tenant_id));
		refuse(path, "sealed to another tenant (tenant %s, this key "
		       "is tenant %s)", theirs, mine);
		goto out;
	}
	if ((jpeg = malloc(h.payload_len + 1)) == NULL)
		die("%s: %s", path, strerror(errno));
	r = fg_sealed_open(&v.op, buf, len, &h, jpeg);
	if (r != FG_SEALED_OK) {
		refuse(path, "%s", fg_sealed_reason_str(r));
		goto out_jpeg;
	}
	/* Authentic: now what it says, against its session. */
	if (h.capture_ns < h.session_start_ns) {
		refuse(path, "captured before its session began (session %"
		       PRIu64 ")", h.session_id);
		goto out_jpeg;
	}
	if (h.capture_ns > session_end(h.session_id)) {
		refuse(path, "captured after its session ended (session %"
		       PRIu64 ")", h.session_id);
		goto out_jpeg;
	}
	if (h.capture_ns > now_ns() + FUTURE_SLACK_NS) {
		refuse(path, "captured in the future");
		goto out_jpeg;
	}
	s = stream_of(&h);
	if (s->last != UINT64_MAX && h.sequence <= s->last) {
		refuse(path, "%s: session %" PRIu64 " camera %" PRIu32
		       " sequence %" PRIu64 " after %" PRIu64,
		       h.sequence == s->last ? "replayed" : "out of order",
		       h.session_id, h.camera_id, h.sequence, s->last);
		goto out_jpeg;
	}
	s->last = h.sequence;
	if (v.outdir)
		write_out(path, &h, jpeg);
	else if (v.verbose)
		printf("%s: opened: session %" PRIu64 " camera %" PRIu32
		       " sequence %" PRIu64 ", %u bytes\n", path, h.session_id,
		       h.camera_id, h.sequence, h.payload_len);
	v.opened++;
out_jpeg:
	OPENSSL_cleanse(jpeg, h.payload_len);
	free(jpeg);
out:
	free(buf);
}

static int
version_order(const struct dirent **a, const struct dirent **b)
{
	return strverscmp((*a)->d_name, (*b)->d_name);
}

static void
open_path(const char *path)
{
	struct dirent **ents;
	char sub[4096];
	struct stat st;
	int i, n;

	if (stat(path, &st) != 0)
		die("%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		open_one(path);
		return;
	}
	if ((n = scandir(path, &ents, NULL, version_order)) < 0)
		die("%s: %s", path, strerror(errno));
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' &&
		    snprintf(sub, sizeof(sub), "%s/%s", path,
			     ents[i]->d_name) < (int)sizeof(sub))
			open_path(sub);
		free(ents[i]);
	}
	free(ents);
}

static void
end_add(const char *arg)
{
	unsigned long long sid, end;
	char *p;

	errno = 0;
	sid = strtoull(arg, &p, 10);
	if (errno || p == arg || *p != '=')
		die("-e %s: not SESSION=END_NS", arg);
	end = strtoull(p + 1, &p, 10);
	if (errno || *p != '\0')
		die("-e %s: not SESSION=END_NS", arg);
	if (v.nends == ENDS_MAX)
		die("more than %d -e", ENDS_MAX);
	v.ends[v.nends].session_id = sid;
	v.ends[v.nends++].end_ns = end;
}

int
main(int argc, char **argv)
{
	const char *key = NULL;
	struct stat st;
	int ch, i;

	if (argc > 1 && strcmp(argv[1], "genkey") == 0) {
		optind = 2;
		while ((ch = getopt(argc, argv, "o:")) != -1) {
			if (ch != 'o')
				usage();
			key = optarg;
		}
		if (key == NULL || optind != argc)
			usage();
		return genkey(key);
	}
	while ((ch = getopt(argc, argv, "e:k:o:qv")) != -1) {
		switch (ch) {
		case 'e':
			end_add(optarg);
			break;
		case 'k':
			key = optarg;
			break;
		case 'o':
			v.outdir = optarg;
			break;
		case 'q':
			v.quiet = 1;
			break;
		case 'v':
			v.verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (key == NULL || optind == argc)
		usage();
	if (v.outdir && (stat(v.outdir, &st) != 0 || !S_ISDIR(st.st_mode)))
		die("%s: not a directory", v.outdir);
	load_key(key);
	for (i = optind; i < argc; i++)
		open_path(argv[i]);
	fg_sealed_opener_clear(&v.op);
	if (!v.quiet)
		printf("%lu opened, %lu refused\n", v.opened, v.refused);
	return v.refused ? 1 : 0;
}
