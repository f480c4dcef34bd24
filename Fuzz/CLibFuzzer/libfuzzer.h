// libFuzzer's driver, linked by `-sanitize=fuzzer` (clang's fuzzer runtime). The fuzz targets
// call it from their own main, since SwiftPM gives every executable one.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
