/**
 * The user-space link: {@link io.paretopipe.netem.link.UserSpaceLink}, a TCP proxy that adds delay,
 * jitter and a token-bucket rate limit to each direction without root or kernel support, plus
 * stall/resume for fault tests.
 */
package io.paretopipe.netem.link;
