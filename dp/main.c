/* SPDX-License-Identifier: BSD-3-Clause */
#include "dp/dp_ctl.h"

int
main(int argc, char **argv)
{
	return dp_main(argc, argv);
}
