/* flux_controllers.h - the Flux controllers and the kinds each reconciles (flux_controllers.c). */
#ifndef FD_FLUX_CONTROLLERS_H
#define FD_FLUX_CONTROLLERS_H

#include <stddef.h>

struct fd_flux_controller {
	const char *controller;
	const char *kinds[6]; /* NULL-terminated when shorter */
};
extern const struct fd_flux_controller fd_flux_controllers[];
extern const size_t fd_flux_ncontrollers;
/* The Flux controller reconciling `kind`, or NULL. */
const char *fd_controller_for_kind(const char *kind);
/* The controller a pod/deployment/lease name belongs to, or NULL. */
const char *fd_controller_for_name(const char *name);

#endif
