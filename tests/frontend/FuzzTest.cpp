#include "FrontendTestSupport.h"
