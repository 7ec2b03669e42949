/*
 * Internals shared by the store_*.c files; nothing outside sim/store*.c includes this.
 *
 * Layout: the store owns agents (one per user) and SMS sessions. A session owns its
 * parties (one record per agent that was ever offered it, reused if offered again), its
 * transcript (a plain C array: a flood of 200000 messages must stay cheap, so messages are
 * rendered to JSON only when read or published) and its userData.
 */
#ifndef GWS_SIM_STORE_INT_H
#define GWS_SIM_STORE_INT_H

#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
    uint64_t rng;                   /* xorshift state: the random part of ids */
};

/* store.c: agents, ids, answers */
struct agent *st_agent(const sim_store *s, const char *name);
int st_grow(void **arr, size_t *cap, size_t need, size_t elem);
void st_new_session_id(sim_store *s, char out[ID_LEN + 1]);
void st_new_participant_id(sim_store *s, char out[ID_LEN + 1]);
long long st_now_ms(void);
json_t *st_status(int *http, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
json_t *st_ctl_error(int *http, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void st_store_clear(sim_store *s);

/* store_session.c: records and their JSON */
struct sms_session *st_session_new(sim_store *s, const char *nick, const char *phone);
void st_session_free(struct sms_session *ss);
struct sms_session *st_session_find(const sim_store *s, const char *id);
struct party *st_party_of(const struct sms_session *ss, const char *agent);
struct party *st_party_offer(sim_store *s, struct sms_session *ss, const char *agent,
                             enum party_role role, const char *inviter, long long ref);
bool st_party_active(const struct party *p);  /* Invited, Chatting or LeftChat */
bool st_party_joined(const struct party *p);  /* joined and Chatting */
size_t st_append(struct sms_session *ss, enum msg_type type, const struct party *from,
                 const char *text, bool agents_only);
int st_message_push(struct sms_session *ss, const struct message *m);
json_t *st_message_json(const struct sms_session *ss, size_t i);
json_t *st_messages_json(const struct sms_session *ss, size_t first, size_t n);
json_t *st_participants_json(const struct sms_session *ss);
json_t *st_view(const sim_store *s, const struct sms_session *ss, const struct party *p,
                bool with_participants);
json_t *st_session_uri(const sim_store *s, const struct sms_session *ss);
bool st_can(const struct sms_session *ss, const struct party *p, const char *op);
const char *st_party_state_name(enum party_state st);
const char *st_role_name(enum party_role r);
const char *st_sess_state_name(enum sess_state st);
const char *st_msg_type_name(enum msg_type t);
struct party *st_consult_of(const struct sms_session *ss, const char *inviter);
/* The handing-over agent leaves a transfer: Completed, ParticipantLeft, everyone told. */
void st_hand_over(sim_store *s, struct sms_session *ss, struct party *from, long long ref);

/* store_notify.c: what goes out through the publish callback */
void st_notify_state(sim_store *s, const struct sms_session *ss, const struct party *p,
                     const char *type, long long ref, const char *error);
void st_notify_accepted(sim_store *s, const struct sms_session *ss, const struct party *p,
                        long long ref);
void st_notify_messages(sim_store *s, const struct sms_session *ss, const char *agent,
                        size_t first, size_t n, long long ref);
void st_broadcast_message(sim_store *s, const struct sms_session *ss, size_t index,
                          const struct party *actor, long long ref);
void st_broadcast_participants(sim_store *s, const struct sms_session *ss,
                               const struct party *skip);
void st_broadcast_properties(sim_store *s, const struct sms_session *ss,
                             const struct party *actor, long long ref);

/* store_route.c: offers, routing and the end of a session */
struct party *st_offer(sim_store *s, struct sms_session *ss, const char *agent,
                       enum party_role role, const char *inviter, long long ref);
void st_route(sim_store *s, struct sms_session *ss, bool skip_any_party);
void st_agent_ready(sim_store *s, const struct agent *a);
struct agent *st_pick_ready(sim_store *s, const struct sms_session *ss, const char *exclude,
                            bool skip_any_party);
void st_close_if_unattended(sim_store *s, struct sms_session *ss);
void st_revoke_invited(sim_store *s, struct sms_session *ss);

/* store_ops_xfer.c: Transfer, Invite, Consult, CancelConsult (store_ops.c dispatches) */
struct op_ctx {
    sim_store *s;
    struct sms_session *ss;
    struct party *p;                /* the acting agent's party */
    const json_t *body;
    const char *op;
    int *http;
    json_t *err;                    /* the answer when a parameter check fails */
};
json_t *st_op_transfer(struct op_ctx *c);
json_t *st_op_invite(struct op_ctx *c);
json_t *st_op_consult(struct op_ctx *c);
json_t *st_op_cancel_consult(struct op_ctx *c);
json_t *st_ok_ref(int *http, long long ref);
int st_param_string(struct op_ctx *c, const char *name, bool required, const char **out);

#endif
