// Which HTML and CSS features of a built newsletter Gmail, classic Outlook (Windows) and
// Apple Mail do not support, from caniemail.com's data (@jsx-email/doiuse-email).
// Usage: node tests/email_client_support.js build/newsletters/<slug>.html
// Prints {"errors": [...], "warnings": [...]} (each message once) as JSON.
"use strict";
const fs = require("fs");
const { doIUseEmail } = require("@jsx-email/doiuse-email");

const CLIENTS = ["gmail.*", "outlook.windows", "apple-mail.*"];
const html = fs.readFileSync(process.argv[2], "utf8");
const result = doIUseEmail(html, { emailClients: CLIENTS });
const unique = (messages) => [...new Set(messages || [])];
process.stdout.write(JSON.stringify({
  clients: CLIENTS,
  errors: unique(result.errors),
  warnings: unique(result.warnings),
}, null, 1) + "\n");
