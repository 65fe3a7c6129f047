/*
 * The engine every provider protocol shares (runway://, luma://, kling://,
 * veo://, sora://, hailuo://, elevenlabs://): credentials, the providers'
 * JSON APIs, job polling, the result stream, the cache and provenance.
 * Each provider's file holds its description, options and URLProtocol.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AVFORMAT_AIPOST_PROVIDER_H
#define AVFORMAT_AIPOST_PROVIDER_H

#include <stdint.h>

#include "libavutil/opt.h"

#include "url.h"

#include "aipost/provjson.h"

enum AIPAuthStyle {
    AIP_AUTH_BEARER,            /* Authorization: Bearer KEY */
    AIP_AUTH_GOOG,              /* x-goog-api-key: KEY */
    AIP_AUTH_XI,                /* xi-api-key: KEY */
    AIP_AUTH_KLING,             /* Bearer JWT(access key, secret key), or Bearer KEY */
};

typedef struct AIPProviderDesc {
    const char *name;           /* the URL scheme */
    const char *label;          /* for messages: "Runway" */
    enum AIPProviderKind kind;
    enum AIPAuthStyle auth;
    const char *default_base;   /* the documented API base URL */
    const char *key_env[2];     /* environment variables holding the key */
    const char *what;           /* "task", "generation", ...: for messages */
} AIPProviderDesc;

struct AIPConn;

typedef struct AIPContext {
    const AVClass *class;

    /* options */
    char *api_key;
    char *access_key, *secret_key;      /* Kling's legacy pair */
    char *api_base;
    char *api_version;                  /* Runway's X-Runway-Version */
    char *variant;                      /* Sora's content variant */
    int wait;
    double timeout;
    double poll_interval;
    double poll_max;
    double retry_delay;
    int retries;
    double io_timeout;
    int tls_verify;
    char *ca_file;
    char *cache_dir;
    char *provenance_log;
    int cache_verify;
    int index;

    /* the job */
    const AIPProviderDesc *desc;
    char *id;                           /* as given after "scheme://" */
    char *kind;                         /* Kling: text2video, image2video, ..., tasks */
    char *job_id;                       /* Kling: the id after the kind */
    char *base;                         /* api_base without a trailing '/' */
    char *key;                          /* credential; wiped at close */
    char *secrets[4];                   /* never printed: key, access and secret key */
    int nb_secrets;
    int64_t deadline;                   /* av_gettime_relative() */
    AIPJob job;
    char *result_url;                   /* absolute */
    char result_host[256];
    char content_type[128];
    int64_t resolved_at_pos;            /* stream position of the last re-resolve; -1 none */

    /* the stream */
    URLContext *inner;                  /* FFmpeg's http/https: never a credential */
    struct AIPConn *conn;               /* our client, to the API origin only */
    int64_t pos;
    int64_t size;                       /* -1 unknown */
    int seekable;

    /* the cache */
    int cache_fd;                       /* >= 0: reading the cached copy */
} AIPContext;

int ff_aip_open(URLContext *h, const char *uri, int flags, AVDictionary **options,
                const AIPProviderDesc *desc);
int ff_aip_read(URLContext *h, unsigned char *buf, int size);
int64_t ff_aip_seek(URLContext *h, int64_t pos, int whence);
int ff_aip_close(URLContext *h);
int ff_aip_get_short_seek(URLContext *h);

#define AIP_OFFSET(x) offsetof(AIPContext, x)
#define AIP_D AV_OPT_FLAG_DECODING_PARAM

/* Options every provider has; poll: its documented polling interval. */
#define AIP_COMMON_OPTIONS(poll)                                                                      \
    { "api_key", "API key (default: the provider's environment variable)",                           \
      AIP_OFFSET(api_key), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, AIP_D },                        \
    { "api_base", "API base URL (default: the provider's documented one)",                           \
      AIP_OFFSET(api_base), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, AIP_D },                       \
    { "wait", "wait for an unfinished job (0: fail at once)",                                         \
      AIP_OFFSET(wait), AV_OPT_TYPE_BOOL, { .i64 = 1 }, 0, 1, AIP_D },                                \
    { "timeout", "longest wait for the job, in seconds",                                             \
      AIP_OFFSET(timeout), AV_OPT_TYPE_DOUBLE, { .dbl = 600 }, 0.1, 86400, AIP_D },                   \
    { "poll_interval", "first pause between status requests, in seconds",                            \
      AIP_OFFSET(poll_interval), AV_OPT_TYPE_DOUBLE, { .dbl = poll }, 0.01, 3600, AIP_D },            \
    { "poll_max", "longest pause between status requests, in seconds",                               \
      AIP_OFFSET(poll_max), AV_OPT_TYPE_DOUBLE, { .dbl = 30 }, 0.01, 3600, AIP_D },                   \
    { "retry_delay", "first pause before retrying a failed request, in seconds",                     \
      AIP_OFFSET(retry_delay), AV_OPT_TYPE_DOUBLE, { .dbl = 0.5 }, 0.01, 600, AIP_D },                \
    { "retries", "failed requests in a row before giving up",                                        \
      AIP_OFFSET(retries), AV_OPT_TYPE_INT, { .i64 = 8 }, 0, 1000, AIP_D },                           \
    { "io_timeout", "longest silence of a connection, in seconds",                                   \
      AIP_OFFSET(io_timeout), AV_OPT_TYPE_DOUBLE, { .dbl = 30 }, 0.1, 3600, AIP_D },                  \
    { "tls_verify", "verify the servers' TLS certificates",                                          \
      AIP_OFFSET(tls_verify), AV_OPT_TYPE_BOOL, { .i64 = 1 }, 0, 1, AIP_D },                          \
    { "ca_file", "CA certificates (PEM) to verify the servers with (default: the system's)",         \
      AIP_OFFSET(ca_file), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, AIP_D },                        \
    { "cache_dir", "keep each fetched generation in this folder, with its provenance",               \
      AIP_OFFSET(cache_dir), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, AIP_D },                      \
    { "provenance_log", "provenance log to append to (default: CACHE_DIR/provenance.log)",           \
      AIP_OFFSET(provenance_log), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, AIP_D },                 \
    { "cache_verify", "check a cached copy's SHA-256 before serving it",                             \
      AIP_OFFSET(cache_verify), AV_OPT_TYPE_BOOL, { .i64 = 1 }, 0, 1, AIP_D },                        \
    { "index", "which result of a job that has several",                                             \
      AIP_OFFSET(index), AV_OPT_TYPE_INT, { .i64 = 0 }, 0, 255, AIP_D }

/* Define ff_NAME_protocol for the provider desc with the option table opts. */
#define AIP_PROTOCOL(pname, desc, opts)                                                             \
static int pname##_open(URLContext *h, const char *uri, int flags, AVDictionary **options)          \
{                                                                                                   \
    return ff_aip_open(h, uri, flags, options, &desc);                                              \
}                                                                                                   \
static const AVClass pname##_class = {                                                              \
    .class_name = #pname,                                                                           \
    .item_name  = av_default_item_name,                                                             \
    .option     = opts,                                                                             \
    .version    = LIBAVUTIL_VERSION_INT,                                                            \
};                                                                                                  \
const URLProtocol ff_##pname##_protocol = {                                                         \
    .name               = #pname,                                                                   \
    .url_open2          = pname##_open,                                                             \
    .url_read           = ff_aip_read,                                                              \
    .url_seek           = ff_aip_seek,                                                              \
    .url_close          = ff_aip_close,                                                             \
    .url_get_short_seek = ff_aip_get_short_seek,                                                    \
    .priv_data_size     = sizeof(AIPContext),                                                       \
    .priv_data_class    = &pname##_class,                                                           \
    .flags              = URL_PROTOCOL_FLAG_NETWORK,                                                \
    .default_whitelist  = "http,https,tls,tcp",                                                     \
}

#endif /* AVFORMAT_AIPOST_PROVIDER_H */
