/* SPDX-License-Identifier: MIT */
/* placeholder until implemented */
typedef int placeholder_t;
