// n8n-core logs every node error it handles through its own logger (winston, to the console):
// expected failures in tests would fill the output. Set before n8n-core is loaded.
process.env.N8N_LOG_LEVEL = 'silent';
