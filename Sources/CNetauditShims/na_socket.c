// Bodies of the shims declared (and explained) in include/na_socket.h.
#include "na_socket.h"
