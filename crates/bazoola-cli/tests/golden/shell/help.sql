.help
.help mode
.mode
.mode markdown
.mode
