/* causes_link.h - link findings into root causes over the cluster graph (causes_link.c). */
#ifndef FD_CAUSES_LINK_H
#define FD_CAUSES_LINK_H

#include "report.h"

void fd_causes_link(struct fd_bundle *b, struct fd_report *r);
/* The graph node of an object ("Kind/ns/name", "controller:NAME", "apiserver"); malloc'd. */
char *fd_node_for(const struct fd_bundle *b, const char *kind, const char *ns, const char *name);
/* The cause graph of a bundle: what each node depends on. */
struct fd_graph;
struct fd_graph *fd_graph_new(struct fd_bundle *b);
/* Appends the nodes `node` depends on to out (malloc'd strings the caller frees). */
void fd_graph_upstreams(struct fd_graph *g, const char *node, struct fd_vec *out);
void fd_graph_free(struct fd_graph *g);

#endif
