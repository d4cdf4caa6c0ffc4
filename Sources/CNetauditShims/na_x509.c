// Bodies of the shims declared (and explained) in include/na_x509.h.
#include "na_x509.h"
