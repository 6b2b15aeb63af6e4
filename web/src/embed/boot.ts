// Read once at start: in an embed page the session token becomes the API token.

import { auth } from "../api/auth";
import { readEmbedConfig, type EmbedConfig } from "./config";

export const embedConfig: EmbedConfig | null = readEmbedConfig();

if (embedConfig && auth.token() !== embedConfig.session) auth.signIn(embedConfig.session);
