import './base.css';
import './mcp.css';
import './usage.css';
import './slash.css';
import './skills.css';
import './agent.css';
