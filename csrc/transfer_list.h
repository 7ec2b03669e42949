/* The engine's lists of transfers (in flight, finished): doubly linked through the transfers
 * themselves, so moving one between lists allocates nothing. Header-only. */
#ifndef GWS_TRANSFER_LIST_H
#define GWS_TRANSFER_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "transfer.h"

struct transfer_list {
    struct transfer *head, *tail;
    int count;
};

static inline void list_push(struct transfer_list *l, struct transfer *t)
{
    t->next = NULL;
    t->prev = l->tail;
    if (l->tail != NULL)
        l->tail->next = t;
    else
        l->head = t;
    l->tail = t;
    l->count++;
}

static inline void list_unlink(struct transfer_list *l, struct transfer *t)
{
    if (t->prev != NULL)
        t->prev->next = t->next;
    else
        l->head = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    else
        l->tail = t->prev;
    t->prev = t->next = NULL;
    l->count--;
}

static inline struct transfer *list_find(const struct transfer_list *l, int64_t id)
{
    for (struct transfer *t = l->head; t != NULL; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

#endif
