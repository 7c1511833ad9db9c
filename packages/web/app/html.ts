/** htm bound to preact's h: tagged templates that build virtual DOM (text is always text). */
import htm from "htm";
import { h } from "preact";

export const html = htm.bind(h);
