/* yaml_load.h - YAML and JSON files: located node trees for rule files, streams of
 * Kubernetes objects for bundles (yaml_load.c). */
#ifndef FD_YAML_LOAD_H
#define FD_YAML_LOAD_H

#include "util.h"

/* A YAML node with its source position, for files whose errors must be located (rules). */
enum fd_ynode_type { FD_Y_SCALAR, FD_Y_SEQ, FD_Y_MAP };
struct fd_ynode {
	enum fd_ynode_type type;
	unsigned line, col; /* 1-based */
	const char *value;  /* scalar text */
	bool quoted;        /* scalar was quoted */
	size_t n;           /* SEQ: items; MAP: pairs (keys at 2i, values at 2i+1) */
	struct fd_ynode **kids;
};
/* Parses one YAML document from buf into nodes allocated in `arena`. Aliases are refused.
 * Returns 0, or FD_ERULES with a located error naming `name`. */
int fd_yaml_parse_tree(struct fd_ynode **out, struct fd_arena *arena, const char *name,
		       const char *buf, size_t len, unsigned max_depth, struct fd_error *err);
struct fd_ynode *fd_ynode_get(const struct fd_ynode *map, const char *key);
/* Converts a node tree into JSON (plain scalars typed as YAML 1.1 core: null, bool, int, float). */
json_t *fd_ynode_to_json(const struct fd_ynode *n);

/* Callback receiving each object of a multi-object file: the object (borrowed; incref to keep),
 * and the 1-based line it starts on. Return non-zero to stop. */
typedef int (*fd_object_cb)(json_t *obj, unsigned line, void *payload);

struct fd_load_stats {
	unsigned long objects;
	bool truncated;          /* stopped at max_objects_per_file */
	char *warning;           /* malloc'd: a parse problem, located; NULL if none */
};
/* Streams the Kubernetes objects of a YAML file (single objects, Lists, multi-document) to cb.
 * Bad YAML stops the file with a located warning; objects before it are kept. */
void fd_yaml_load_objects(const char *name, const char *buf, size_t len,
			  const struct fd_limits *lim, fd_object_cb cb, void *payload,
			  struct fd_load_stats *stats);
/* Same for a JSON file (object, List, or array of objects). */
void fd_json_load_objects(const char *name, const char *buf, size_t len,
			  const struct fd_limits *lim, fd_object_cb cb, void *payload,
			  struct fd_load_stats *stats);

#endif
