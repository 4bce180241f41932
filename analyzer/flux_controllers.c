/* flux_controllers.c - the Flux controllers and the kinds each one reconciles. */
#include "flux_controllers.h"

#include <string.h>

const struct fd_flux_controller fd_flux_controllers[] = {
	{"source-controller", {"GitRepository", "OCIRepository", "HelmRepository", "HelmChart", "Bucket"}},
	{"kustomize-controller", {"Kustomization"}},
	{"helm-controller", {"HelmRelease"}},
	{"notification-controller", {"Alert", "Provider", "Receiver"}},
	{"image-reflector-controller", {"ImageRepository", "ImagePolicy"}},
	{"image-automation-controller", {"ImageUpdateAutomation"}},
};
const size_t fd_flux_ncontrollers = sizeof(fd_flux_controllers) / sizeof(fd_flux_controllers[0]);

const char *fd_controller_for_kind(const char *kind)
{
	for (size_t i = 0; i < fd_flux_ncontrollers; i++)
		for (size_t k = 0; k < 6 && fd_flux_controllers[i].kinds[k]; k++)
			if (strcmp(fd_flux_controllers[i].kinds[k], kind) == 0)
				return fd_flux_controllers[i].controller;
	return NULL;
}

const char *fd_controller_for_name(const char *name)
{
	for (size_t i = 0; i < fd_flux_ncontrollers; i++) {
		size_t n = strlen(fd_flux_controllers[i].controller);
		if (strncmp(name, fd_flux_controllers[i].controller, n) == 0 &&
		    (name[n] == 0 || name[n] == '-'))
			return fd_flux_controllers[i].controller;
	}
	return NULL;
}
