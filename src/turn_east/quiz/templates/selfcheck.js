(function(){if(window.teQuizCheck)return;
function norm(s){return s.normalize('NFKD').replace(/[\u0300-\u036f]/g,'').toLowerCase().replace(/[^a-z0-9]+/g,' ').trim();}
function h(s){var b=new TextEncoder().encode(s),x=0x811c9dc5;for(var i=0;i<b.length;i++){x^=b[i];x=Math.imul(x,0x01000193)>>>0;}return ('0000000'+x.toString(16)).slice(-8);}
window.teQuizCheck=function(f){var t=f.getAttribute('data-type'),v=null,q=f.querySelectorAll.bind(f);
if(t==='single'||t==='truefalse'){var c=q('input:checked')[0];if(c)v=norm(c.value);}
else if(t==='multi'){var a=[].map.call(q('input:checked'),function(e){return norm(e.value);});a.sort();if(a.length)v=a.join('|');}
else if(t==='chronology'||t==='match_stage'){var s=[].map.call(q('select'),function(e){return e.value;});if(s.indexOf('')<0)v=s.join(',');}
else if(t==='year'){var y=parseInt(q('input')[0].value,10);if(!isNaN(y))v=String(y);}
else{var x=norm(q('input')[0].value);if(x)v=x;}
var out=q('.te-result')[0];
if(v===null){out.textContent='\u2139 Choose or type an answer first.';return false;}
var ok=f.getAttribute('data-h').split(' ').indexOf(h(f.getAttribute('data-salt')+'\u001f'+v))>=0;
out.textContent=ok?'\u2714 Correct.':'\u2718 Not yet. Reread: ';
if(!ok){var a=document.createElement('a');a.href=f.getAttribute('data-href');a.textContent=f.getAttribute('data-section');out.appendChild(a);out.appendChild(document.createTextNode('.'));}
return false;};})();
