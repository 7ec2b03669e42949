/*
 * SMS session records: parties, the transcript, and their JSON (an agent's VIEW of a
 * session, MESSAGE objects, participants, capabilities), and the names of the enums.
 * Nothing here publishes.
 */
#ifndef GWS_SIM_STORE_SESSION_H
#define GWS_SIM_STORE_SESSION_H

#include "store_types.h"

const char *st_party_state_name(enum party_state st);
/* The state name the agent of `p` is shown (a rejected offer is Completed, unless legacy). */
const char *st_party_shown_state(const sim_store *s, const struct party *p);
const char *st_role_name(enum party_role r);
const char *st_sess_state_name(enum sess_state st);
const char *st_msg_type_name(enum msg_type t);

struct sms_session *st_session_new(sim_store *s, const char *nick, const char *phone);
void st_session_free(struct sms_session *ss);
struct sms_session *st_session_find(const sim_store *s, const char *id);

struct party *st_party_of(const struct sms_session *ss, const char *agent);
/* A party record for `agent` (reused if it had one) in state Invited; NULL: out of memory. */
struct party *st_party_offer(sim_store *s, struct sms_session *ss, const char *agent,
                             enum party_role role, const char *inviter, long long ref);
bool st_party_active(const struct party *p);  /* Invited, Chatting or LeftChat */
bool st_party_joined(const struct party *p);  /* joined and Chatting */
/* The open consultation `inviter` started, or NULL. */
struct party *st_consult_of(const struct sms_session *ss, const char *inviter);
/* True when `p` may perform `op` now (the published capabilities). */
bool st_can(const struct sms_session *ss, const struct party *p, const char *op);

/* Transcript: appends a message and returns its index (0: out of memory). */
size_t st_append(struct sms_session *ss, enum msg_type type, const struct party *from,
                 const char *text, bool agents_only);
int st_message_push(struct sms_session *ss, const struct message *m);

json_t *st_participants_json(const struct sms_session *ss);

/*
 * Which SESSION an agent is shown. The vendor's notifications show different keys: a state
 * change id, uri, state, capabilities and participants (Accept's first one an empty list);
 * PropertiesUpdated adds userData; LeftChat has no participants; a final state only id, uri
 * and state (Reject adds "participants": []). A read shows everything. With s->legacy every
 * view is the full one (only Accept's first keeps its empty participant list).
 */
enum view_kind { VIEW_STATE, VIEW_ACCEPTED, VIEW_PROPERTIES, VIEW_READ };
json_t *st_view(const sim_store *s, const struct sms_session *ss, const struct party *p,
                enum view_kind kind);
json_t *st_session_uri(const sim_store *s, const struct sms_session *ss);

#endif
