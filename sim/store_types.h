/*
 * The store's data model, shared by the store_*.c files (the bottom of the store: it includes
 * no other file of the simulator). Outside sim/store*.c only the handle `sim_store` and the
 * publish callback's type are used; the fields are the store's own.
 *
 * Layout: the store owns agents (one per user) and SMS sessions. A session owns its
 * parties (one record per agent that was ever offered it, reused if offered again), its
 * transcript (a plain C array: a flood of 200000 messages must stay cheap, so messages are
 * rendered to JSON only when read or published) and its userData.
 */
#ifndef GWS_SIM_STORE_TYPES_H
#define GWS_SIM_STORE_TYPES_H

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_store sim_store;

/*
 * Called once per notification for one user. channel is "/v2/me/smssessions". It receives
 * a new reference to `data` that it must json_decref (NULL when building it ran out of
 * memory: the notification is lost).
 */
typedef void (*sim_publish_fn)(void *ud, const char *username, const char *channel,
                               json_t *data);

#define ID_LEN 16                   /* session ids and participant ids */
#define SMS_TOPIC "/v2/me/smssessions"

struct agent {
    char *name;
    char *password;
    bool cc_started;                /* StartContactCenterSession done */
    bool sms_started;               /* the "sms" channel was started with it */
    bool sms_ready;                 /* sms channel state Ready (else NotReady) */
};

enum party_state { PS_INVITED, PS_CHATTING, PS_LEFT, PS_COMPLETED, PS_REVOKED };
enum party_role { ROLE_MAIN, ROLE_TRANSFER, ROLE_CONFERENCE, ROLE_CONSULT };

struct party {
    char *agent;                    /* user name */
    char *nickname;                 /* NULL until Accept */
    char *inviter;                  /* agent whose operation made this offer, or NULL */
    long long inviter_ref;          /* that operation's referenceId (0: none) */
    unsigned long long join_seq;    /* participants are listed in join order */
    enum party_state state;
    enum party_role role;
    int save_lar;                   /* -1 absent, else 0/1 */
    long long offered_at_ms;        /* epoch ms of the last offer (offer timeout) */
    bool rejected;                  /* Revoked by its own Reject (vendor: shown Completed) */
    bool joined;
    char pid[ID_LEN + 1];
};

enum msg_type {
    MT_TEXT, MT_JOINED, MT_LEFT, MT_TYPING_STARTED, MT_TYPING_STOPPED, MT_PUSH_URL,
    MT_CUSTOM_NOTICE, MT_COUNT
};

/* One transcript entry; its index is its position + 1 (indices are contiguous). */
struct message {
    long long ts_ms;                /* epoch milliseconds */
    char *text;                     /* text / url / noticeText by type, or NULL */
    char *nick;                     /* agent messages only: customer ones use the session's */
    char pid[ID_LEN + 1];           /* agent messages only */
    unsigned char type;             /* enum msg_type */
    bool from_agent;
    bool agents_only;               /* visibility "Agents" */
};

enum sess_state { SS_QUEUED, SS_INVITED, SS_CHATTING, SS_COMPLETED };

struct sms_session {
    char id[ID_LEN + 1];
    char *cust_nick;
    char *cust_phone;               /* may be NULL */
    char cust_pid[ID_LEN + 1];
    bool customer_left;
    enum sess_state state;
    char *first_agent;              /* the first agent to accept, or NULL */
    char *first_nick;               /* its nickname then */
    char *disposition;
    json_t *user_data;              /* object */
    struct party **parties;
    size_t nparties, cap_parties;
    struct message *msgs;
    size_t nmsgs, cap_msgs;
};

struct sim_store {
    sim_publish_fn publish;
    void *ud;
    char *base_url;
    struct agent **agents;
    size_t nagents, cap_agents;
    struct sms_session **sessions;  /* creation order, which is also the queue order */
    size_t nsessions, cap_sessions;
    unsigned long long next_id;     /* feeds session and participant ids */
    long long next_ref;             /* last referenceId handed out */
    unsigned long long join_seq;
    size_t rr;                      /* round-robin cursor into agents */
    bool legacy;                    /* the shapes before the vendor's samples (--legacy-shapes) */
    long long offer_timeout_ms;     /* an unanswered offer (any role) is withdrawn */
    uint64_t rng;                   /* xorshift state: the random part of ids */
};

#endif
