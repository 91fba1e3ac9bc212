/* A shared library without a .pyvc_manifest section: what the loader must refuse with a clear
 * message instead of loading it. */
int pyvc_no_manifest_fn_something(void) { return 0; }
