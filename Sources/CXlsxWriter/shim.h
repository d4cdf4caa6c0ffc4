// libxlsxwriter from Debian's libxlsxwriter-dev (pkg-config: xlsxwriter): writes .xlsx
// files. Only NetauditXLSX imports this module.
#include <xlsxwriter.h>
